"""Reminders and escalation (the worker's minute job, capture/leads/reminders.py):
at `respond_by` the owner is reminded once, at twice the target the admins
are told once and, with LEADS_REASSIGN_OVERDUE, the lead goes to the next
person once; a stopped clock gets nothing more; two workers send each once.
With a fake clock (`now`) and a real SMTP server (aiosmtpd)."""

import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from werkzeug.security import generate_password_hash

from capture.extensions import db
from capture.leads.clocks import start_clock, stop_clock, store_clock
from capture.leads.reminders import REASSIGNED_OVERDUE, remind_and_escalate
from capture.models import Lead, Outbox, OwnerChange, User
from capture.notifications.delivery import deliver_due
from capture.notifications.outbox import ESCALATED, OVERDUE

from .support.auth import PASSWORD
from .support.clocks import amsterdam
from .support.factories import make_lead
from .support.servers import smtp_inbox

# A large firm that became an opportunity on a Wednesday at 10:00: one hour.
STARTED = amsterdam(2026, 11, 18, 10)
RESPOND_BY = amsterdam(2026, 11, 18, 11)
ESCALATE_AT = amsterdam(2026, 11, 18, 12)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def smtp():
    with smtp_inbox() as inbox:
        yield inbox


def mailing_app(make_app, smtp, **settings):
    return make_app(
        LEADS_SMTP_HOST="127.0.0.1",
        LEADS_SMTP_PORT=smtp.port,
        LEADS_SMTP_TLS="none",
        LEADS_OUTBOX_BACKOFF_SECONDS=0,
        **settings,
    )


@pytest.fixture
def mailing(make_app, smtp):
    return mailing_app(make_app, smtp)


def add_user(app, email: str, role: str = "sales") -> int:
    with app.app_context():
        user = User(email=email, role=role, password_hash=generate_password_hash(PASSWORD))
        db.session.add(user)
        db.session.commit()
        return user.id


@pytest.fixture
def team(mailing):
    return add_people(mailing)


def add_people(app) -> dict[str, int]:
    return {
        "admin": add_user(app, "admin@leadgate.test", "admin"),
        "anna": add_user(app, "anna@leadgate.test"),
        "bas": add_user(app, "bas@leadgate.test"),
    }


def opportunity(app, owner_id: int | None) -> int:
    """A large firm's opportunity of `owner_id`, its clock started at STARTED."""
    with app.app_context():
        lead = make_lead(headcount="250-999", owner_id=owner_id)
        store_clock(lead, start_clock(lead, STARTED))
        db.session.commit()
        return lead.id


def run(app, now) -> tuple[int, int]:
    with app.app_context():
        return remind_and_escalate(now)


def delivered(app, smtp) -> list[tuple[str, str]]:
    """(to, subject) of every e-mail the worker has sent by now."""
    with app.app_context():
        while deliver_due():
            pass
    mails = [message_from_bytes(m.content, policy=policy.default) for m in smtp.messages]
    return [(mail["To"], mail["Subject"]) for mail in mails]


def outbox_events(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Outbox).order_by(Outbox.id)).all()
        return [(row.event, row.channel, row.target) for row in rows]


def owner_of(app, lead_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Lead, lead_id).owner_id


def owner_changes(app, lead_id: int) -> list[tuple[int | None, int | None, str]]:
    with app.app_context():
        changes = db.session.scalars(
            db.select(OwnerChange).where(OwnerChange.lead_id == lead_id).order_by(OwnerChange.id)
        ).all()
        return [(change.from_user_id, change.to_user_id, change.reason) for change in changes]


def test_the_owner_is_reminded_once_at_the_deadline(mailing, smtp, team):
    lead_id = opportunity(mailing, team["anna"])

    assert run(mailing, RESPOND_BY - MINUTE) == (0, 0)
    assert run(mailing, RESPOND_BY) == (1, 0)
    assert run(mailing, RESPOND_BY + 30 * MINUTE) == (0, 0)

    ((to, subject),) = delivered(mailing, smtp)
    assert to == "anna@leadgate.test"
    assert subject.startswith("Overdue: ")
    assert outbox_events(mailing) == [(OVERDUE, "email", "anna@leadgate.test")]
    (mail,) = [message_from_bytes(m.content, policy=policy.default) for m in smtp.messages]
    body = mail.get_content()
    assert "due for its first response by 2026-11-18 11:00" in body  # the business's clock
    assert f"/sales/leads/{lead_id}" in body


def test_the_admins_are_told_once_at_twice_the_target(mailing, smtp, team):
    lead_id = opportunity(mailing, team["anna"])
    run(mailing, RESPOND_BY)

    assert run(mailing, ESCALATE_AT - MINUTE) == (0, 0)
    assert run(mailing, ESCALATE_AT) == (0, 1)
    assert run(mailing, ESCALATE_AT + timedelta(hours=5)) == (0, 0)

    mails = delivered(mailing, smtp)
    assert [to for to, _ in mails] == ["anna@leadgate.test", "admin@leadgate.test"]
    assert mails[1][1].startswith("Still waiting at twice its target: ")
    assert owner_of(mailing, lead_id) == team["anna"]  # LEADS_REASSIGN_OVERDUE is off
    assert owner_changes(mailing, lead_id) == []


def test_a_worker_that_was_away_catches_up_with_both_steps_once(mailing, smtp, team):
    opportunity(mailing, team["anna"])

    assert run(mailing, ESCALATE_AT + timedelta(days=1)) == (1, 1)
    assert run(mailing, ESCALATE_AT + timedelta(days=2)) == (0, 0)

    assert sorted(to for to, _ in delivered(mailing, smtp)) == [
        "admin@leadgate.test",
        "anna@leadgate.test",
    ]


def test_an_opportunity_without_an_owner_reminds_the_admins(mailing, smtp, team):
    opportunity(mailing, None)

    assert run(mailing, RESPOND_BY) == (1, 0)

    assert [to for to, _ in delivered(mailing, smtp)] == ["admin@leadgate.test"]


def test_nothing_after_the_lead_is_marked_contacted(mailing, smtp, team):
    lead_id = opportunity(mailing, team["anna"])
    with mailing.app_context():
        assert stop_clock(db.session.get(Lead, lead_id), "contacted", RESPOND_BY - MINUTE)
        db.session.commit()

    assert run(mailing, ESCALATE_AT + timedelta(days=1)) == (0, 0)

    assert delivered(mailing, smtp) == []


def test_a_clock_stopped_after_the_reminder_is_not_escalated(mailing, smtp, team):
    lead_id = opportunity(mailing, team["anna"])
    run(mailing, RESPOND_BY)
    with mailing.app_context():
        stop_clock(db.session.get(Lead, lead_id), "contacted", RESPOND_BY + MINUTE)
        db.session.commit()

    assert run(mailing, ESCALATE_AT) == (0, 0)

    assert [to for to, _ in delivered(mailing, smtp)] == ["anna@leadgate.test"]


def test_two_workers_at_once_send_each_step_once(mailing, smtp, team):
    leads = [opportunity(mailing, team["anna"]) for _ in range(5)]
    start = threading.Barrier(2, timeout=10)
    results, errors = [], []

    def work():
        try:
            with mailing.app_context():
                start.wait()
                results.append(remind_and_escalate(ESCALATE_AT))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert tuple(map(sum, zip(*results, strict=True))) == (len(leads), len(leads))
    events = outbox_events(mailing)
    assert sorted(events) == sorted(
        [(OVERDUE, "email", "anna@leadgate.test")] * len(leads)
        + [(ESCALATED, "email", "admin@leadgate.test")] * len(leads)
    )


def test_with_reassignment_on_the_overdue_lead_goes_to_the_next_person_once(make_app, smtp):
    app = mailing_app(make_app, smtp, LEADS_REASSIGN_OVERDUE=True)
    team = add_people(app)
    lead_id = opportunity(app, team["anna"])

    run(app, ESCALATE_AT)
    run(app, ESCALATE_AT + timedelta(hours=1))

    assert owner_of(app, lead_id) == team["bas"]
    ((from_id, to_id, reason),) = owner_changes(app, lead_id)
    assert (from_id, to_id) == (team["anna"], team["bas"])
    assert reason.startswith(f"{REASSIGNED_OVERDUE}; round robin")
    assert sorted(to for to, _ in delivered(app, smtp)) == [
        "admin@leadgate.test",
        "anna@leadgate.test",
        "bas@leadgate.test",  # told the lead is theirs now
    ]


def test_the_older_webhook_is_told_the_lead_is_overdue(make_app, smtp):
    app = mailing_app(make_app, smtp, LEADS_WEBHOOK_URL="https://hooks.example.nl/leads")
    team = add_people(app)
    opportunity(app, team["anna"])

    run(app, RESPOND_BY)

    assert outbox_events(app) == [
        (OVERDUE, "email", "anna@leadgate.test"),
        (OVERDUE, "webhook", "https://hooks.example.nl/leads"),
    ]
    with app.app_context():
        payload = db.session.scalars(
            db.select(Outbox.payload).where(Outbox.channel == "webhook")
        ).one()
    assert payload["event"] == OVERDUE
