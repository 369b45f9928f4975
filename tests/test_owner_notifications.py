"""The new owner of a lead is told, by e-mail in their own language (the
outbox event lead.assigned); with nobody available the admins are told; the
worker hands over the leads of someone whose absence has started. Against a
real SMTP server (aiosmtpd)."""

from datetime import timedelta
from email import message_from_bytes, policy
from itertools import count

import pytest
from werkzeug.security import generate_password_hash

from capture.demo.seed import seed_demo
from capture.extensions import db
from capture.leads.owners import OwnerMove, business_today
from capture.models import Absence, Lead, Outbox, OwnerChange, User
from capture.notifications.delivery import deliver_due, run_worker

from .support.auth import PASSWORD
from .support.factories import make_lead
from .support.servers import smtp_inbox
from .support.visitor import Visitor


@pytest.fixture
def smtp():
    with smtp_inbox() as inbox:
        yield inbox


@pytest.fixture
def mailing(make_app, smtp):
    """An app with a mail server and no sales inbox (only people's own e-mails)."""
    app = make_app(
        LEADS_SMTP_HOST="127.0.0.1",
        LEADS_SMTP_PORT=smtp.port,
        LEADS_SMTP_TLS="none",
        LEADS_OUTBOX_BACKOFF_SECONDS=0,
    )
    with app.app_context():
        seed_demo()
    return app


def add_user(app, email: str, role: str = "sales", **values) -> int:
    with app.app_context():
        user = User(
            email=email, role=role, password_hash=generate_password_hash(PASSWORD), **values
        )
        db.session.add(user)
        db.session.commit()
        return user.id


def delivered(app, smtp) -> list:
    with app.app_context():
        while deliver_due():
            pass
    return [message_from_bytes(m.content, policy=policy.default) for m in smtp.messages]


def test_the_new_owner_is_told_in_their_own_language(mailing, smtp):
    add_user(mailing, "anna@leadgate.test", name="Anna de Vries", language="nl")
    Visitor(mailing.test_client()).submit(
        "demo-contact", contact={"name": "Piet Bakker", "company": "Bakkerij Bakker"}
    )

    with mailing.app_context():
        (row,) = db.session.scalars(db.select(Outbox)).all()
        assert (row.event, row.channel, row.target) == (
            "lead.assigned",
            "email",
            "anna@leadgate.test",
        )
    (mail,) = delivered(mailing, smtp)
    assert mail["To"] == "anna@leadgate.test"
    assert mail["Subject"] == "Een lead voor jou: Piet Bakker (Bakkerij Bakker)"
    body = mail.get_content()
    assert "Deze lead is nu van jou: round robin" in body
    assert "Open de lead: http://localhost/sales/leads/" in body


def test_an_english_speaking_owner_gets_english(mailing, smtp):
    add_user(mailing, "bas@leadgate.test", name="Bas Jansen", language="en")
    Visitor(mailing.test_client()).submit("demo-contact", contact={"name": "Piet Bakker"})

    (mail,) = delivered(mailing, smtp)
    assert mail["Subject"].startswith("A lead for you: Piet Bakker")
    assert "This lead is yours now: round robin" in mail.get_content()


def test_with_nobody_available_every_active_admin_is_told_once(mailing, smtp):
    add_user(mailing, "boss@leadgate.test", role="admin", takes_leads=False)
    add_user(mailing, "chef@leadgate.test", role="admin", takes_leads=False)
    add_user(mailing, "gone@leadgate.test", role="admin", active=False)
    client = mailing.test_client()
    Visitor(client).submit("demo-contact", contact={"name": "Piet Bakker"})
    # The same person again: still nobody, and no second message.
    Visitor(client).submit("demo-contact", contact={"name": "Piet Bakker"})

    mails = delivered(mailing, smtp)
    assert sorted(mail["To"] for mail in mails) == ["boss@leadgate.test", "chef@leadgate.test"]
    assert all(mail["Subject"].startswith("Nobody can take this lead") for mail in mails)
    with mailing.app_context():
        assert db.session.scalar(db.select(Lead.owner_id)) is None


def test_someone_giving_a_lead_to_themselves_gets_no_e_mail_but_others_do(mailing):
    anna = add_user(mailing, "anna@leadgate.test", name="Anna de Vries")
    bas = add_user(mailing, "bas@leadgate.test", name="Bas Jansen")
    with mailing.test_request_context():
        lead = make_lead(email="x@example.nl")
        OwnerMove(None, anna, "entered by hand", by=anna).log(lead)
        OwnerMove(anna, bas, "reassigned by hand: she is on the road", by=anna).log(lead)
        db.session.commit()
        (row,) = db.session.scalars(db.select(Outbox)).all()
        assert (row.event, row.target) == ("lead.assigned", "bas@leadgate.test")
        assert (row.payload["by"], row.payload["owner"]["name"]) == ("Anna de Vries", "Bas Jansen")


def test_the_worker_hands_over_the_leads_of_someone_whose_absence_started(mailing):
    anna = add_user(mailing, "anna@leadgate.test", name="Anna de Vries")
    bas = add_user(mailing, "bas@leadgate.test", name="Bas Jansen")
    with mailing.app_context():
        today = business_today()
        waiting = make_lead(email="waiting@example.nl", owner_id=anna)
        answered = make_lead(email="answered@example.nl", owner_id=anna)
        answered.first_response_at = answered.first_interest_at
        db.session.add(Absence(user_id=anna, starts=today, ends=today + timedelta(days=3)))
        db.session.commit()
        waiting_id, answered_id = waiting.id, answered.id

    rounds = count()
    with mailing.app_context():
        run_worker(stop=lambda: next(rounds) >= 1)

    with mailing.app_context():
        assert db.session.get(Lead, waiting_id).owner_id == bas
        assert db.session.get(Lead, answered_id).owner_id == anna
        (change,) = db.session.scalars(db.select(OwnerChange)).all()
        assert (change.lead_id, change.from_user_id, change.to_user_id) == (waiting_id, anna, bas)
        assert change.reason.startswith("its owner is away")
        assert db.session.scalar(db.select(Absence.handed_over_at)) is not None
