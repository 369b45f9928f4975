"""The command line: `init-db`, `seed-demo` and `create-user`, and models that match
the migrations."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect
from werkzeug.security import check_password_hash

from capture import create_app
from capture.demo.seed import seed_demo
from capture.extensions import db
from capture.models import (
    ChannelCost,
    Ebook,
    Form,
    FormCount,
    Lead,
    ListChange,
    ResponseClock,
    User,
    utcnow,
)
from capture.sales.search import is_index_object

SAMPLE_SITE = "http://localhost:8000"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(func.count()).select_from(model))


def forms_by_slug(app) -> dict[str, Form]:
    with app.app_context():
        forms = db.session.scalars(db.select(Form).options(db.joinedload(Form.ebook))).all()
        db.session.expunge_all()
        return {form.slug: form for form in forms}


def users(app) -> list[User]:
    with app.app_context():
        found = db.session.scalars(db.select(User)).all()
        db.session.expunge_all()
        return found


# init-db


def test_init_db_creates_every_table_on_an_empty_database(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": "sqlite:///" + str(tmp_path / "fresh.db"),
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )

    result = app.test_cli_runner().invoke(args=["init-db"])

    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert set(db.metadata.tables) | {"alembic_version"} <= tables


def test_init_db_twice_on_a_migrated_database_keeps_the_data(app, runner):
    assert count(app, Form) == 2

    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])

    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert set(forms_by_slug(app)) == {"demo-ebook", "demo-contact"}
    assert count(app, Ebook) == 1


# seed-demo


def test_seed_demo_creates_an_ebook_gate_with_a_real_pdf_and_a_contact_form(make_app):
    app = make_app()

    result = app.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert "demo-ebook" in result.output and "demo-contact" in result.output
    forms = forms_by_slug(app)
    gate, contact = forms["demo-ebook"], forms["demo-contact"]
    assert (gate.kind, gate.intent) == ("gate", "medium")
    assert (contact.kind, contact.intent) == ("contact", "high")
    assert contact.ebook is None

    ebook = gate.ebook
    assert ebook.content_type == "application/pdf"
    content = (Path(app.instance_path) / "ebooks" / ebook.sha256).read_bytes()
    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(content).hexdigest() == ebook.sha256
    assert len(content) == ebook.size


def test_seed_demo_run_again_creates_nothing(make_app):
    app = make_app()
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo"])

    again = runner.invoke(args=["seed-demo"])

    assert again.exit_code == 0, again.output
    assert "Demo forms exist" in again.output
    assert (count(app, Form), count(app, Ebook)) == (2, 1)


def test_both_demo_forms_can_be_embedded_on_any_site_the_sample_site_included(app):
    forms = forms_by_slug(app)

    for slug in ("demo-ebook", "demo-contact"):
        assert (forms[slug].restrict_embedding, forms[slug].allowed_origins) == (False, [])
    framed = app.test_client().get("/f/demo-ebook?embed=1", headers={"Referer": SAMPLE_SITE})
    assert "frame-ancestors" not in framed.headers["Content-Security-Policy"]


# create-user


def create_user(runner, email, role, password, *more):
    return runner.invoke(args=["create-user", email, "--role", role, "--password", password, *more])


def test_create_user_stores_a_hashed_password_never_the_password_itself(app, runner):
    result = create_user(runner, "Ann@Example.com", "sales", "correct horse")

    assert result.exit_code == 0, result.output
    (user,) = users(app)
    assert (user.email, user.role, user.active) == ("ann@example.com", "sales", True)
    assert "correct horse" not in user.password_hash
    assert check_password_hash(user.password_hash, "correct horse")


@pytest.mark.parametrize(
    ("role", "password", "message"),
    [
        ("owner", "correct horse", "'owner' is not one of 'admin', 'sales'"),
        ("sales", "short", "use at least 8 characters"),
    ],
)
def test_create_user_refuses_a_bad_role_or_a_short_password(app, runner, role, password, message):
    result = create_user(runner, "ann@example.com", role, password)

    assert result.exit_code != 0
    assert message in result.output
    assert users(app) == []


def test_create_user_for_an_existing_email_updates_role_and_password(app, runner):
    create_user(runner, "ann@example.com", "sales", "correct horse")

    result = create_user(runner, "ANN@example.com", "admin", "battery staple")

    assert result.exit_code == 0, result.output
    (user,) = users(app)
    assert user.role == "admin"
    assert check_password_hash(user.password_hash, "battery staple")
    assert not check_password_hash(user.password_hash, "correct horse")


def test_create_user_sets_a_display_name_and_keeps_it_when_run_again_without_one(app, runner):
    result = create_user(
        runner, "anna@example.com", "sales", "correct horse", "--name", "  Anna   de Vries "
    )
    create_user(runner, "anna@example.com", "sales", "battery staple")

    assert result.exit_code == 0, result.output
    (user,) = users(app)
    assert (user.name, user.display_name) == ("Anna de Vries", "Anna de Vries")


def test_create_user_refuses_a_name_longer_than_120_characters(app, runner):
    result = create_user(runner, "anna@example.com", "sales", "correct horse", "--name", "A" * 121)

    assert result.exit_code != 0
    assert "at most 120 characters" in result.output
    assert users(app) == []


# models and migrations


def test_the_models_match_the_migrations(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, *_: not is_index_object(name),
            },
        )
        differences = compare_metadata(context, db.metadata)

    assert differences == []


def test_seed_demo_run_again_leaves_the_embedding_an_admin_chose(make_app, monkeypatch):
    app = make_app()
    with app.app_context():
        seed_demo()
        form = db.session.scalars(db.select(Form).where(Form.slug == "demo-ebook")).one()
        form.restrict_embedding, form.allowed_origins = True, ["https://shop.example.nl"]
        db.session.commit()
        monkeypatch.setenv("SITE_PORT", "8123")  # the sample site moved: nothing to learn
        seed_demo()
        db.session.commit()

    forms = forms_by_slug(app)
    assert (forms["demo-ebook"].restrict_embedding, forms["demo-ebook"].allowed_origins) == (
        True,
        ["https://shop.example.nl"],
    )
    assert (forms["demo-contact"].restrict_embedding, forms["demo-contact"].allowed_origins) == (
        False,
        [],
    )


def test_seed_demo_makes_a_first_admin_only_when_nobody_can_log_in(make_app):
    app = make_app()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])

    password = first.output.split("with password ")[1].split()[0]
    with app.app_context():
        (admin,) = db.session.scalars(db.select(User)).all()
        assert admin.role == "admin" and check_password_hash(admin.password_hash, password)
    assert "first login" not in second.output


def test_demo_traffic_fills_every_channel_routed_by_the_rules_once(app, runner):
    first = runner.invoke(args=["demo-traffic", "--visitors", "120", "--days", "60"])
    again = runner.invoke(args=["demo-traffic"])

    assert first.exit_code == 0 and "120 demo visitors over 60 days" in first.output
    assert again.output.strip() == "Demo traffic is already there."
    with app.app_context():
        leads = db.session.scalars(db.select(Lead)).all()
        assert {lead.channel for lead in leads} >= {"paid", "search", "social", "direct"}
        assert {lead.list for lead in leads} == {"opportunity", "nurture", "disqualified"}
        # Every lead routed by the rules, and logged so.
        changes = db.session.scalars(db.select(ListChange)).all()
        assert len(changes) == len(leads) and all(change.user_id is None for change in changes)
        oldest = min(lead.first_interest_at for lead in leads)
        assert timedelta(days=30) < utcnow() - oldest <= timedelta(days=60)
        views = db.session.scalar(
            db.select(db.func.sum(FormCount.count)).where(FormCount.event == "view")
        )
        assert views > len(leads)
        assert db.session.scalar(db.select(db.func.count()).select_from(ChannelCost)) > 0
        # A newcomer sees clocks at once: opportunities overdue and due soon,
        # the older ones answered, with the business time it took.
        now, waiting = utcnow(), [lead for lead in leads if lead.respond_by]
        assert {lead.list for lead in waiting} == {"opportunity"}
        assert any(lead.respond_by < now for lead in waiting)
        assert any(lead.respond_by > now for lead in waiting)
        assert all(now - lead.first_interest_at < timedelta(days=5) for lead in waiting)
        answered = db.session.scalars(
            db.select(ResponseClock).where(ResponseClock.stopped_because == "contacted")
        ).all()
        assert answered and all(clock.response_minutes is not None for clock in answered)


def test_demo_traffic_never_mixes_into_real_leads(app, runner):
    from .support.factories import make_lead

    with app.app_context():
        make_lead()
        db.session.commit()

    answer = runner.invoke(args=["demo-traffic"])

    assert "only for an empty demo" in answer.output
    with app.app_context():
        assert db.session.scalar(db.select(func.count()).select_from(Lead)) == 1
