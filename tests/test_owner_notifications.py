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
from capture.domain.assignment import AssignmentRule, AssignmentSettings
from capture.extensions import db
from capture.leads.owners import SECOND_STEP_GRACE, OwnerMove, business_today, save_settings
from capture.models import Absence, Lead, Outbox, OwnerChange, User, utcnow
from capture.notifications.delivery import deliver_due, run_worker

from .support.auth import PASSWORD
from .support.factories import make_lead
from .support.servers import smtp_inbox
from .support.visitor import CONTACT, Visitor


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


def delivered(app, smtp, after_the_hold: bool = True) -> list:
    """What the worker sends now; `after_the_hold`: as if the owners' e-mails'
    short wait for a second step (SECOND_STEP_GRACE) had passed."""
    with app.app_context():
        if after_the_hold:
            db.session.execute(
                db.update(Outbox)
                .where(Outbox.status == "pending")
                .values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )
            db.session.commit()
        while deliver_due():
            pass
    return [message_from_bytes(m.content, policy=policy.default) for m in smtp.messages]


def test_the_owners_e_mail_waits_a_little_for_the_forms_second_step(mailing, smtp):
    add_user(mailing, "anna@leadgate.test", name="Anna de Vries")
    visitor = Visitor(mailing.test_client())
    visitor.open("demo-contact")
    visitor.post({**CONTACT, "consent": "y"})  # an opportunity, by turns, already

    with mailing.app_context():
        (row,) = db.session.scalars(db.select(Outbox)).all()
        assert row.next_attempt_at - row.created_at >= SECOND_STEP_GRACE - timedelta(seconds=1)
    assert delivered(mailing, smtp, after_the_hold=False) == []
    assert [mail["To"] for mail in delivered(mailing, smtp)] == ["anna@leadgate.test"]


def test_a_rule_taking_the_lead_at_its_second_step_withdraws_the_first_persons_e_mail(
    mailing, smtp
):
    anna = add_user(mailing, "anna@leadgate.test", name="Anna de Vries")
    add_user(mailing, "bas@leadgate.test", name="Bas Jansen")
    with mailing.app_context():
        rule = AssignmentRule(anna, size_class="large", label="large firms → Anna de Vries")
        save_settings(AssignmentSettings((rule,)), None)
        db.session.commit()
    # Anna has the lower id: the first turn is hers; so take it by turns first.
    Visitor(mailing.test_client()).submit(
        "demo-contact", contact={"email": "first@example.nl"}, qualify={"headcount": "50-99"}
    )
    Visitor(mailing.test_client()).submit("demo-contact", qualify={"headcount": "1000+"})

    mails = delivered(mailing, smtp)
    # The second lead: Bas's turn at its first step, Anna's by the rule at its
    # second; Bas is not told about a lead that is not his.
    assert sorted(mail["To"] for mail in mails) == ["anna@leadgate.test", "anna@leadgate.test"]


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


def test_re_routing_gives_owners_without_an_e_mail_per_lead(mailing):
    from dataclasses import replace

    from capture.domain.rules import DEFAULT_RULES
    from capture.leads.rerouting import reroute_leads

    from .support.rule_changes import routed_lead

    anna = add_user(mailing, "anna@leadgate.test", name="Anna de Vries")
    with mailing.app_context():
        ids = [routed_lead("50-99").id for _ in range(3)]
        db.session.commit()
        assert {db.session.get(Lead, i).list for i in ids} == {"nurture"}

        reroute_leads(replace(DEFAULT_RULES, opportunity_threshold=70), because="Rules changed")

        leads = [db.session.get(Lead, i) for i in ids]
        assert {(lead.list, lead.owner_id) for lead in leads} == {("opportunity", anna)}
        assert db.session.scalar(db.select(db.func.count(OwnerChange.id))) == 3
        assert db.session.scalars(db.select(Outbox)).all() == []
