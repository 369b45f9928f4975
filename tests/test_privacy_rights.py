"""A person's rights: export everything, erase it (insights unchanged), and retention."""

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import String, cast, select

from capture.extensions import db
from capture.models import ErasedLead, Erasure, Lead, Note, Outbox, Submission, utcnow
from capture.notifications.delivery import run_worker

from .support.factories import make_lead
from .support.insights_dataset import OCTOBER, add_october
from .support.visitor import CONTACT, Visitor, page_inputs

TABLES = ("channels", "reasons", "funnel", "costs")


def insights_csv(client, table: str, **asked) -> str:
    return client.get(
        f"/sales/insights/export.csv?{urlencode({'table': table, **OCTOBER, **asked})}"
    ).get_data(as_text=True)


def every_table_mentions(app, *needles) -> list[str]:
    """Where any of `needles` still appears: 'table.column' for every match."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                for needle in needles:
                    hit = db.session.scalar(
                        select(table.c[column.key])
                        .where(cast(table.c[column.key], String).contains(needle))
                        .limit(1)
                    )
                    if hit is not None:
                        found.append(f"{table.name}.{column.key}")
    return found


def lead_id_of(app, email: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Lead.id).where(Lead.email_key == email)).one()


def erase_as_admin(client, lead_id: int):
    form = client.get(f"/admin/leads/{lead_id}/erase").get_data(as_text=True)
    token = page_inputs(form)["csrf_token"]
    return client.post(
        f"/admin/leads/{lead_id}/erase", data={"csrf_token": token, "understood": "y"}
    )


@pytest.fixture
def anna(app, client, users):
    """Anna filled the contact form (marketing ticked, and confirmed from her
    mailbox); sales wrote a note; a webhook waits."""
    Visitor(app.test_client()).submit("demo-contact", contact={"marketing": "y"})
    lead_id = lead_id_of(app, CONTACT["email"])
    with app.app_context():
        db.session.get(Lead, lead_id).marketing_consent_at = utcnow()
        db.session.add(Note(lead_id=lead_id, user_id=users["sales"][0], body="Called Anna."))
        db.session.add(
            Outbox(
                event="lead.opportunity",
                channel="webhook",
                target="https://hooks.example.nl",
                payload={"lead": {"email": CONTACT["email"], "name": CONTACT["name"]}},
                lead_id=lead_id,
            )
        )
        db.session.commit()
    return lead_id


def test_the_export_holds_everything_stored_about_the_person(client, auth, anna):
    auth.login("admin")
    answer = client.get(f"/admin/leads/{anna}/export.json")

    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == f'attachment; filename="lead-{anna}.json"'
    exported = json.loads(answer.get_data(as_text=True))
    assert exported["lead"]["email"] == CONTACT["email"]
    assert exported["lead"]["name"] == CONTACT["name"]
    assert exported["lead"]["marketing_consent_at"]
    (submission,) = exported["submissions"]
    assert submission["answers"]["company"] == CONTACT["company"]
    assert submission["answers"]["sector"] == "ict"
    assert submission["form"] == "demo-contact"
    assert submission["consent"]["text"].startswith("I agree that my details are used")
    assert submission["consent"]["version"] == 1 and submission["consent"]["marketing_accepted"]
    assert [note["body"] for note in exported["notes"]] == ["Called Anna."]
    assert exported["list_changes"][0]["to_list"] == "opportunity"
    assert exported["notifications"][0]["payload"]["lead"]["email"] == CONTACT["email"]


def test_only_an_admin_may_export_or_erase(client, auth, anna):
    auth.login("sales")
    assert client.get(f"/admin/leads/{anna}/export.json").status_code == 403
    assert client.get(f"/admin/leads/{anna}/erase").status_code == 403


def test_erasing_removes_every_trace_of_the_person_and_logs_it_without_them(
    app, client, auth, anna
):
    auth.login("admin")
    answer = erase_as_admin(client, anna)

    assert answer.status_code == 302
    assert every_table_mentions(app, CONTACT["email"], CONTACT["name"], "Called Anna") == []
    with app.app_context():
        assert db.session.get(Lead, anna) is None
        assert db.session.scalars(select(Submission)).all() == []
        assert db.session.scalars(select(Outbox)).all() == []
        (erasure,) = db.session.scalars(select(Erasure)).all()
        assert (erasure.reason, erasure.submissions, erasure.notes) == ("request", 1, 1)
        assert erasure.notifications == 1 and erasure.user_id is not None
        (left,) = db.session.scalars(select(ErasedLead)).all()
        assert (left.channel, left.list) == ("direct", "opportunity")
        # Only to the quarter hour.
        assert left.first_interest_at.minute % 15 == 0 and left.first_interest_at.second == 0


def test_erasing_needs_the_box_ticked_and_a_csrf_token(app, client, auth, anna):
    auth.login("admin")
    page = client.get(f"/admin/leads/{anna}/erase").get_data(as_text=True)
    token = page_inputs(page)["csrf_token"]

    unticked = client.post(f"/admin/leads/{anna}/erase", data={"csrf_token": token})
    forged = client.post(f"/admin/leads/{anna}/erase", data={"understood": "y"})

    assert unticked.status_code == 422 and "Tick the box" in unticked.get_data(as_text=True)
    assert forged.status_code == 400
    assert lead_id_of(app, CONTACT["email"]) == anna


def test_the_insights_add_up_the_same_after_people_are_erased(app, client, auth):
    with app.app_context():
        leads = add_october()
        # Sales answered some; some were won, lost, disqualified with typed reasons.
        chosen = [leads[key].id for key in leads][::2]
    auth.login("admin")
    before = {table: insights_csv(client, table) for table in TABLES}
    assert "paid" in before["channels"] and "Too small" in before["reasons"]
    drilled = insights_csv(client, "channels", channel="paid")

    for lead_id in chosen:
        assert erase_as_admin(client, lead_id).status_code == 302

    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Lead)) == (
            len(leads) - len(chosen)
        )
    for table in TABLES:
        assert insights_csv(client, table) == before[table], table
    assert insights_csv(client, "channels", channel="paid") == drilled


def test_the_command_line_exports_and_erases_a_person(app, runner, anna):
    exported = runner.invoke(args=["export-person", CONTACT["email"].upper()])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["lead"]["email"] == CONTACT["email"]

    refused = runner.invoke(args=["erase-person", CONTACT["email"]], input="n\n")
    assert refused.exit_code == 1 and lead_id_of(app, CONTACT["email"]) == anna

    erased = runner.invoke(args=["erase-person", CONTACT["email"], "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "1 submissions, 1 notes" in erased.output
    assert runner.invoke(args=["export-person", CONTACT["email"]]).exit_code == 1


def _aged(app):
    """Leads of every kind, some past the default retention (180 and 730 days)."""
    now = utcnow()
    kinds = {
        "old-disqualified": ("disqualified", None, 200),
        "new-disqualified": ("disqualified", None, 10),
        "old-nurture": ("nurture", None, 800),
        "new-nurture": ("nurture", None, 100),
        "old-lost": ("opportunity", "lost", 800),
        "old-open": ("opportunity", None, 900),
        "old-won": ("opportunity", "won", 900),
    }
    with app.app_context():
        ids = {}
        for name, (on_list, outcome, days) in kinds.items():
            lead = make_lead(
                name=name,
                email=f"{name}@example.nl",
                list=on_list,
                outcome=outcome,
                days_ago=days,
                first_interest_at=now - timedelta(days=days),
            )
            ids[name] = lead.id
        db.session.commit()
    return ids


def test_a_purge_dry_run_lists_exactly_what_the_purge_then_erases(app, runner):
    ids = _aged(app)

    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    listed = {int(line.split()[3]) for line in dry.output.splitlines() if line.startswith("would")}
    assert listed == {ids["old-disqualified"], ids["old-nurture"], ids["old-lost"]}
    assert "3 leads would be erased." in dry.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Lead)) == len(ids)

    real = runner.invoke(args=["purge"])
    assert real.exit_code == 0 and "3 leads erased." in real.output
    with app.app_context():
        kept = set(db.session.scalars(select(Lead.id)))
        erasures = db.session.scalars(select(Erasure)).all()
    assert kept == set(ids.values()) - listed
    assert [e.reason for e in erasures] == ["retention"] * 3
    assert runner.invoke(args=["purge", "--dry-run"]).output.strip() == "0 leads would be erased."


def test_retention_is_a_setting_and_zero_keeps_leads_for_good(make_app):
    app = make_app(LEADS_KEEP_DISQUALIFIED_DAYS=0, LEADS_KEEP_COLD_DAYS=700)
    ids = _aged(app)
    output = app.test_cli_runner().invoke(args=["purge", "--dry-run"]).output
    listed = {int(line.split()[3]) for line in output.splitlines() if line.startswith("would")}
    # Disqualified leads are kept for good; nurture and lost go after 700 days.
    assert listed == {ids["old-nurture"], ids["old-lost"]}


def test_the_worker_purges_when_it_starts(app):
    ids = _aged(app)
    turns = iter([False, True])
    with app.app_context():
        run_worker(stop=lambda: next(turns))
        kept = set(db.session.scalars(select(Lead.id)))
    assert ids["old-nurture"] not in kept and ids["old-won"] in kept


def test_the_erasure_log_and_the_anonymous_rows_have_no_place_for_personal_data():
    personal = {"email", "email_key", "name", "company", "phone", "need", "answers", "body"}
    for model in (Erasure, ErasedLead):
        assert not {column.key for column in model.__table__.columns} & personal


def test_the_purge_removes_notifications_delivered_over_30_days_ago(app, runner):
    now = utcnow()
    with app.app_context():
        for status, days in (("delivered", 31), ("delivered", 29), ("failed", 40)):
            db.session.add(
                Outbox(
                    event="lead.opportunity",
                    channel="email",
                    target="sales@example.nl",
                    payload={"lead": {"email": f"{status}-{days}@example.nl"}},
                    status=status,
                    delivered_at=now - timedelta(days=days) if status == "delivered" else None,
                )
            )
        db.session.commit()

    assert runner.invoke(args=["purge"]).exit_code == 0

    with app.app_context():
        left = {row.payload["lead"]["email"] for row in db.session.scalars(select(Outbox))}
    assert left == {"delivered-29@example.nl", "failed-40@example.nl"}


def test_the_lead_page_shows_the_consent_given_and_offers_export_and_erase_to_admins(
    client, auth, anna
):
    auth.login("sales")
    page = client.get(f"/sales/leads/{anna}").get_data(as_text=True)
    assert "Consent version 1, accepted" in page and "marketing too" in page
    assert "I agree that my details are used to answer this request." in page
    assert "Marketing consent" in page and "yes, since" in page
    assert f"/admin/leads/{anna}/erase" not in page  # sales do not see it

    client.delete_cookie("session")
    auth.login("admin")
    page = client.get(f"/sales/leads/{anna}").get_data(as_text=True)
    assert f"/admin/leads/{anna}/export.json" in page
    assert f"/admin/leads/{anna}/erase" in page
