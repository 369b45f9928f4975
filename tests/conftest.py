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

from .servers import served
from .visitor import Visitor, page_inputs

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


def base_config(database_url: str, instance_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance_path),
        # The test client's own address, so links and the pages agree.
        "LEADS_BASE_URL": "http://localhost",
        "LEADS_MIN_FILL_SECONDS": 0,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
        # Views written at once, so a test can count them; tests/intake/test_counters.py
        # checks the gathered writes.
        "LEADS_VIEW_COUNT_SECONDS": 0,
    }


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


PASSWORD = "correct horse battery"


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


class Auth:
    """Logs a test client in as a role, through the real login form."""

    def __init__(self, client, users):
        self.client, self.users = client, users

    def login(self, role: str = "sales"):
        page = self.client.get("/login")
        token = page_inputs(page.get_data(as_text=True))["csrf_token"]
        email = self.users[role][1]
        answer = self.client.post(
            "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)
        return self.users[role][0]

    def csrf_token(self, path: str = "/sales/") -> str:
        """A CSRF token from a page the logged-in user can open."""
        return page_inputs(self.client.get(path).get_data(as_text=True))["csrf_token"]


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
