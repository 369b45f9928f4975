"""Fixtures: the app on SQLite and on PostgreSQL, a client, a visitor, a live server.

Every test that uses `app` runs once per database. PostgreSQL comes from
TEST_DATABASE_URL; without it those runs skip (under CI=true they fail).
"""

import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from capture import create_app
from capture.demo.seed import seed_demo
from capture.extensions import db
from capture.models import User

from .support.auth import PASSWORD, Auth
from .support.config import base_config
from .support.receivers import Receiver
from .support.servers import served
from .support.visitor import Visitor

IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        reason = "TEST_DATABASE_URL is not set to a PostgreSQL URL: PostgreSQL runs skipped"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
            # A clean schema: migrations below must build it from nothing.
            connection.execute(text("drop schema public cascade"))
            connection.execute(text("create schema public"))
            connection.commit()
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {error}")
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A migrated, empty database per backend, built once per test session."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "leadgate-test.db")
    else:
        url = _postgres_url()
    app = create_app(base_config(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _empty_tables() -> None:
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our table names
    db.session.commit()


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build apps with extra settings; their tables are emptied afterwards."""
    apps = []

    def build(**overrides):
        app = create_app({**base_config(database_url, tmp_path / "instance"), **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


@pytest.fixture
def make_demo_app(make_app):
    """Build apps with extra settings and the demo forms (`seed-demo`)."""

    def build(**overrides):
        app = make_app(**overrides)
        with app.app_context():
            seed_demo()
        return app

    return build


@pytest.fixture
def app(make_demo_app):
    return make_demo_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def visitor(client):
    return Visitor(client)


@pytest.fixture
def users(app):
    """An admin and a sales person, by role."""
    with app.app_context():
        made = {}
        for role in ("admin", "sales"):
            user = User(
                email=f"{role}@leadgate.test",
                role=role,
                password_hash=generate_password_hash(PASSWORD),
            )
            db.session.add(user)
            made[role] = user
        db.session.commit()
        return {role: (user.id, user.email) for role, user in made.items()}


@pytest.fixture
def auth(client, users):
    return Auth(client, users)


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a free port, for the browser tests."""
    with served(app) as port:
        # The snippet and e-mailed links must point at this server.
        app.config["LEADS_BASE_URL"] = f"http://127.0.0.1:{port}"
        yield app.config["LEADS_BASE_URL"]


@pytest.fixture
def receiver():
    """A real webhook receiver on a local port: `.url` to post to, `.calls` kept."""
    target = Receiver()
    with served(target) as port:
        target.url = f"http://127.0.0.1:{port}/hooks/leadgate"
        yield target
