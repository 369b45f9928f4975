"""Marketing consent from any form counts only once confirmed by e-mail.

Anyone can type anyone's address: a ticked marketing box on a contact form
is recorded with the submission, and the person confirms it from their own
mailbox (a real SMTP server here) before the lead has marketing consent.
"""

from email import message_from_bytes, policy

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Lead, Submission
from capture.notifications.delivery import deliver_due

from ..support.servers import smtp_inbox
from ..support.visitor import CONTACT, Visitor


@pytest.fixture
def mailing(make_demo_app):
    with smtp_inbox() as inbox:
        app = make_demo_app(
            LEADS_SMTP_HOST="127.0.0.1", LEADS_SMTP_PORT=inbox.port, LEADS_SMTP_TLS="none"
        )
        yield app, inbox


def delivered_mail(app, inbox, to: str):
    with app.app_context():
        while deliver_due():
            pass
    (envelope,) = [m for m in inbox.messages if m.rcpt_tos == [to]]
    return message_from_bytes(envelope.content, policy=policy.default)


def marketing_consent_at(app):
    with app.app_context():
        return db.session.scalar(db.select(Lead.marketing_consent_at))


def test_a_ticked_marketing_box_counts_once_the_person_confirms_it_by_e_mail(mailing):
    app, inbox = mailing
    client = app.test_client()

    done = Visitor(client).submit("demo-contact", contact={"marketing": "y"})

    assert "confirm with the link we just e-mailed you" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(Submission.marketing_consent)) is True
    assert marketing_consent_at(app) is None
    mail = delivered_mail(app, inbox, CONTACT["email"])
    assert mail["Subject"] == "Please confirm: news and offers by e-mail"
    link = next(word for word in mail.get_content().split() if "/c/" in word)
    path = link.split("://", 1)[1].partition("/")[2]

    page = client.get(f"/{path}")
    assert "news and offers by e-mail" in page.get_data(as_text=True)
    assert marketing_consent_at(app) is None  # opening the link is not pressing the button
    button = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one("form")
    confirmed = client.post(button["action"])

    assert confirmed.status_code == 200
    assert marketing_consent_at(app) is not None
    # Opened again, the page still asks: it tells no one what is stored.
    again = client.get(f"/{path}").get_data(as_text=True)
    assert 'action="/c/' in again and "You are on the list" not in again
    with app.app_context():
        # Not a newsletter: confirming the box is no newsletter sign-up.
        assert db.session.scalar(db.select(Lead.newsletter_confirmed_at)) is None


def test_no_box_ticked_sends_no_confirmation(mailing):
    app, inbox = mailing

    done = Visitor(app.test_client()).submit("demo-contact")

    assert "e-mailed you" not in done.get_data(as_text=True)
    with app.app_context():
        while deliver_due():
            pass
    assert inbox.messages == []


def test_the_e_mail_reads_the_same_for_a_known_address_as_for_a_new_one(mailing):
    app, inbox = mailing
    Visitor(app.test_client()).submit("demo-contact")  # Anna is a known lead now

    Visitor(app.test_client()).submit(
        "demo-contact",
        contact={"email": "ANNA@bakkerij-jansen.nl", "name": "Mallory", "marketing": "y"},
    )
    Visitor(app.test_client()).submit(
        "demo-contact", contact={"email": "new@example.nl", "name": "Mallory", "marketing": "y"}
    )

    known = delivered_mail(app, inbox, "ANNA@bakkerij-jansen.nl")
    stranger = delivered_mail(app, inbox, "new@example.nl")
    assert known["Subject"] == stranger["Subject"]
    first_lines = [mail.get_content().split("http")[0] for mail in (known, stranger)]
    assert first_lines[0] == first_lines[1]
    assert first_lines[0].startswith("Hello Mallory,")
