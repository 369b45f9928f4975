"""Speed to lead: an opportunity reaches sales' inbox and a webhook, through the
outbox, exactly once — against a real local SMTP server and HTTP receiver."""

import hashlib
import hmac
import json
import threading
import time
import unicodedata
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import text
from werkzeug.wrappers import Request, Response

from capture.demo.seed import seed_demo
from capture.extensions import db
from capture.leads.privacy import erase_by_request
from capture.models import Form, Lead, Outbox, utcnow
from capture.notifications.delivery import deliver_due

from .support.auth import PASSWORD, log_in
from .support.servers import served, smtp_inbox
from .support.visitor import Visitor, page_inputs

SECRET = "webhook-test-secret"


@pytest.fixture
def smtp():
    with smtp_inbox() as inbox:
        yield inbox


@pytest.fixture
def notifying(make_app, smtp, receiver):
    """An app that tells sales by e-mail and webhook, retrying without pause."""

    def build(**overrides):
        settings = {
            "LEADS_NOTIFY_EMAIL": "sales@bakkerij.example, boss@bakkerij.example",
            "LEADS_SMTP_HOST": "127.0.0.1",
            "LEADS_SMTP_PORT": smtp.port,
            "LEADS_SMTP_TLS": "none",
            "LEADS_WEBHOOK_URL": receiver.url,
            "LEADS_WEBHOOK_SECRET": SECRET,
            "LEADS_OUTBOX_BACKOFF_SECONDS": 0,
        }
        app = make_app(**{**settings, **overrides})
        with app.app_context():
            seed_demo()
        return app

    return build


def outbox(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Outbox).order_by(Outbox.id)).all()
        return [(row.event, row.channel, row.status) for row in rows]


def webhook_rows(app) -> list[tuple[str, str, str]]:
    return [row for row in outbox(app) if row[1] == "webhook"]


def deliver_all(app, rounds: int = 10) -> None:
    with app.app_context():
        for _ in range(rounds):
            if not deliver_due():
                break


def test_an_opportunity_writes_its_notifications_with_the_lead(notifying):
    app = notifying()
    Visitor(app.test_client()).submit("demo-contact")

    assert outbox(app) == [
        ("lead.opportunity", "email", "pending"),
        ("lead.opportunity", "webhook", "pending"),
    ]
    with app.app_context():
        row = db.session.scalars(db.select(Outbox)).first()
        lead = db.session.get(Lead, row.lead_id)
        assert row.payload["lead"]["email"] == lead.email == "anna@bakkerij-jansen.nl"
        assert row.payload["lead"]["url"] == f"http://localhost/sales/leads/{lead.id}"
        assert row.target == "sales@bakkerij.example, boss@bakkerij.example"


def test_a_nurture_lead_is_not_announced_unless_every_lead_is_asked_for(notifying):
    quiet = notifying()
    Visitor(quiet.test_client()).submit("demo-ebook")
    assert outbox(quiet) == []

    # (Both apps share the test database.)
    chatty = notifying(LEADS_NOTIFY_EVERY_LEAD=True)
    Visitor(chatty.test_client()).submit("demo-ebook", contact={"email": "piet@example.nl"})
    assert [event for event, _, _ in outbox(chatty)] == ["lead.created", "lead.created"]


def test_the_worker_delivers_an_opportunity_by_email_and_signed_webhook_once(
    notifying, smtp, receiver
):
    app = notifying()
    Visitor(app.test_client()).submit("demo-contact")

    first = app.test_cli_runner().invoke(args=["worker", "--once"])
    again = app.test_cli_runner().invoke(args=["worker", "--once"])

    assert "Tried 2 notifications." in first.output and "Tried 0" in again.output
    (mail,) = smtp.messages
    assert mail.rcpt_tos == ["sales@bakkerij.example", "boss@bakkerij.example"]
    text = mail.content.decode()
    assert "Subject: New opportunity: Anna Jansen (Bakkerij Jansen)" in text
    assert "Open the lead: http://localhost/sales/leads/" in text
    ((headers, body),) = receiver.calls
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Leadgate-Signature"], expected)
    assert headers["X-Leadgate-Event"] == "lead.opportunity"
    assert json.loads(body)["lead"]["company"] == "Bakkerij Jansen"
    assert [status for _, _, status in outbox(app)] == ["delivered", "delivered"]


def test_a_receiver_that_fails_twice_gets_the_notification_on_the_third_try(notifying, receiver):
    receiver.failures = 2
    app = notifying(LEADS_NOTIFY_EMAIL="")
    Visitor(app.test_client()).submit("demo-contact")

    deliver_all(app)

    assert len(receiver.calls) == 3 and len(receiver.delivered) == 1
    with app.app_context():
        (row,) = db.session.scalars(db.select(Outbox)).all()
        assert (row.status, row.attempts, row.last_error) == ("delivered", 3, None)


def test_a_failing_receiver_is_given_up_on_and_admin_can_try_again(notifying, receiver, users):
    receiver.failures = 99
    app = notifying(LEADS_NOTIFY_EMAIL="", LEADS_OUTBOX_MAX_ATTEMPTS=3)
    client = app.test_client()
    Visitor(client).submit("demo-contact")
    deliver_all(app)
    # (The new owner's e-mail, lead.assigned, is another row: not this receiver's.)
    assert webhook_rows(app) == [("lead.opportunity", "webhook", "failed")]

    with app.app_context():
        from werkzeug.security import generate_password_hash

        from capture.models import User

        db.session.add(
            User(
                email="boss@leadgate.test",
                role="admin",
                password_hash=generate_password_hash(PASSWORD),
            )
        )
        db.session.commit()
    log_in(client, "boss@leadgate.test")
    page = BeautifulSoup(client.get("/admin/notifications").get_data(as_text=True), "html.parser")
    assert "the webhook answered 503" in page.get_text()
    retry = page.find("button", string="Try again").find_parent("form")
    receiver.failures = 0
    answer = client.post(retry["action"], data=page_inputs(str(retry)))

    assert answer.status_code == 303
    deliver_all(app)
    assert webhook_rows(app) == [("lead.opportunity", "webhook", "delivered")]


def test_several_workers_at_once_deliver_each_notification_once(notifying, receiver):
    app = notifying(LEADS_NOTIFY_EMAIL="")
    with app.app_context():
        for number in range(40):
            db.session.add(
                Outbox(
                    event="lead.opportunity",
                    channel="webhook",
                    target=receiver.url,
                    payload={"n": number},
                )
            )
        db.session.commit()

    def work():
        with app.app_context():
            while deliver_due(batch=3):
                pass
            db.session.remove()

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    deliveries = [headers["X-Leadgate-Delivery"] for headers, _ in receiver.calls]
    assert len(deliveries) == 40 and len(set(deliveries)) == 40
    assert {status for _, _, status in outbox(app)} == {"delivered"}


def test_a_notification_left_by_a_worker_that_died_is_taken_over_after_its_lease(
    notifying, receiver
):
    app = notifying(LEADS_NOTIFY_EMAIL="")
    with app.app_context():
        stuck = Outbox(
            event="lead.opportunity",
            channel="webhook",
            target=receiver.url,
            payload={},
            status="sending",
            attempts=1,
            lease_until=utcnow() - timedelta(seconds=1),
        )
        still_leased = Outbox(
            event="lead.opportunity",
            channel="webhook",
            target=receiver.url,
            payload={},
            status="sending",
            attempts=1,
            lease_until=utcnow() + timedelta(minutes=1),
        )
        db.session.add_all([stuck, still_leased])
        db.session.commit()

    deliver_all(app)

    assert [status for _, _, status in outbox(app)] == ["delivered", "sending"]


def test_an_unsigned_webhook_is_never_sent(notifying, receiver):
    app = notifying(LEADS_NOTIFY_EMAIL="", LEADS_WEBHOOK_SECRET="", LEADS_OUTBOX_MAX_ATTEMPTS=1)
    Visitor(app.test_client()).submit("demo-contact")

    deliver_all(app)

    assert receiver.calls == []
    with app.app_context():
        (row,) = db.session.scalars(db.select(Outbox)).all()
        assert row.status == "failed" and "LEADS_WEBHOOK_SECRET" in row.last_error


@contextmanager
def running_worker(app):
    """`flask worker`'s loop in a thread for the block; yields the thread."""
    from capture.notifications.delivery import run_worker

    stop = threading.Event()

    def work():
        with app.app_context():
            run_worker(stop=stop.is_set)

    thread = threading.Thread(target=work)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=10)


def test_a_running_worker_tells_sales_of_a_new_opportunity_while_it_runs(notifying, smtp):
    app = notifying(LEADS_WEBHOOK_URL="", LEADS_WORKER_POLL_SECONDS=0.05)
    with running_worker(app):
        Visitor(app.test_client()).submit("demo-contact")
        for _ in range(200):
            if smtp.messages:
                break
            time.sleep(0.05)

    assert len(smtp.messages) == 1


def visitor_mail(smtp, to: str) -> str:
    (mail,) = [m for m in smtp.messages if m.rcpt_tos == [to]]
    from email import message_from_bytes, policy

    message = message_from_bytes(mail.content, policy=policy.default)
    return f"Subject: {message['Subject']}\n\n{message.get_content()}"


def test_a_gate_can_e_mail_the_download_link_to_the_visitor_in_their_language(notifying, smtp):
    app = notifying(LEADS_WEBHOOK_URL="", LEADS_NOTIFY_EMAIL="")
    with app.app_context():
        gate = db.session.scalar(db.select(Form).where(Form.slug == "demo-ebook"))
        gate.email_download = True
        db.session.commit()
    client = app.test_client()

    done = Visitor(client, headers={"Accept-Language": "nl"}).submit("demo-ebook")
    deliver_all(app)

    assert "We hebben de link ook naar u gemaild." in done.get_data(as_text=True)
    text = visitor_mail(smtp, "anna@bakkerij-jansen.nl")
    assert text.startswith("Subject: Uw download: ")
    link = next(word for word in text.split() if "/d/" in word)
    ebook = client.get(link.replace("http://localhost", ""))
    assert ebook.status_code == 200 and ebook.data.startswith(b"%PDF-")


@pytest.fixture
def newsletter(notifying):
    app = notifying(LEADS_WEBHOOK_URL="", LEADS_NOTIFY_EMAIL="")
    with app.app_context():
        db.session.add(
            Form(slug="news", kind="newsletter", title="The monthly newsletter", intent="low")
        )
        db.session.commit()
    return app


def test_a_newsletter_sign_up_is_confirmed_only_by_pressing_the_e_mailed_button(newsletter, smtp):
    client = newsletter.test_client()
    done = Visitor(client).submit("news")
    deliver_all(newsletter)
    text = visitor_mail(smtp, "anna@bakkerij-jansen.nl")
    link = next(word for word in text.split() if "/c/" in word).replace("http://localhost", "")

    opened = client.get(link)  # a mail scanner opening the link confirms nothing
    with newsletter.app_context():
        assert db.session.scalar(db.select(Lead.newsletter_confirmed_at)) is None
    button = BeautifulSoup(opened.get_data(as_text=True), "html.parser").select_one("form")
    confirmed = client.post(button["action"])
    again = client.post(button["action"])

    assert "please confirm your sign-up" in done.get_data(as_text=True)
    assert text.startswith("Subject: Please confirm your sign-up: The monthly newsletter")
    assert confirmed.status_code == again.status_code == 200
    assert "You are on the list" in confirmed.get_data(as_text=True)
    assert "Set-Cookie" not in confirmed.headers
    with newsletter.app_context():
        (when,) = db.session.scalars(db.select(Lead.newsletter_confirmed_at)).all()
        assert when is not None


def test_a_forged_confirmation_link_is_not_found(newsletter):
    assert newsletter.test_client().get("/c/not-a-real-token").status_code == 404
    assert newsletter.test_client().post("/c/not-a-real-token").status_code == 404


def test_without_a_mail_server_no_visitor_mail_is_promised(make_app):
    app = make_app()
    with app.app_context():
        seed_demo()
        db.session.add(Form(slug="news", kind="newsletter", title="News", intent="low"))
        db.session.commit()

    done = Visitor(app.test_client()).submit("news")

    assert "You are on the list" in done.get_data(as_text=True)
    assert outbox(app) == []


# Characters that end a header line for Python's email package (or for a mail
# client reading str.splitlines): each in a visitor's name or company once
# made the worker crash on that row, for good.
LINE_ENDINGS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def parsed(mail) -> EmailMessage:
    return message_from_bytes(mail.content, policy=policy.default)


def subject_of(message: EmailMessage) -> str:
    # Python folds a long subject with parentheses right after "Subject:" and
    # reads the folding space back; mail clients drop it.
    return message["Subject"].lstrip(" ")


def assert_single_clean_lines(message: EmailMessage) -> None:
    for name, value in message.items():
        assert not any(ch in LINE_ENDINGS or ch == "\t" for ch in value), (name, value)
        assert not any(unicodedata.category(ch) == "Cc" for ch in value), (name, value)


def test_line_breaks_in_a_visitors_name_never_reach_the_headers_of_sales_mail(notifying, smtp):
    app = notifying(LEADS_WEBHOOK_URL="")
    contact = {
        "name": "Bob\r\nBcc: spy@evil.example\u2028Evil",
        "company": "Acme\x0bCorp\x0c\x85\u2029\nX-Injected: yes",
    }
    Visitor(app.test_client()).submit("demo-contact", contact=contact)

    ran = app.test_cli_runner().invoke(args=["worker", "--once"])

    assert ran.exit_code == 0, ran.output
    (mail,) = smtp.messages
    assert mail.rcpt_tos == ["sales@bakkerij.example", "boss@bakkerij.example"]
    message = parsed(mail)
    assert subject_of(message) == (
        "New opportunity: Bob Bcc: spy@evil.example Evil (Acme Corp X-Injected: yes)"
    )
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert_single_clean_lines(message)
    # The body cannot be given lines of the visitor's making either.
    assert not any(line.startswith("X-Injected") for line in message.get_content().splitlines())
    assert [status for _, _, status in outbox(app)] == ["delivered"]


def test_an_encoded_word_typed_as_a_name_cannot_add_a_header(notifying, smtp):
    app = notifying(LEADS_WEBHOOK_URL="")
    # RFC 2047 for "Bob\r\nReply-To: spy@evil.example": Python's email package
    # decodes it when the subject is set, and used to send the line break on.
    name = "=?utf-8?q?Bob=0D=0AReply-To=3A_spy@evil.example?="
    Visitor(app.test_client()).submit("demo-contact", contact={"name": name})

    ran = app.test_cli_runner().invoke(args=["worker", "--once"])

    assert ran.exit_code == 0, ran.output
    message = parsed(smtp.messages[0])
    assert message["Reply-To"] is None
    # Shown as typed, but with "=?" broken up so no client decodes it either.
    assert subject_of(message) == (
        "New opportunity: = ?utf-8?q?Bob=0D=0AReply-To=3A_spy@evil.example?= (Bakkerij Jansen)"
    )
    assert_single_clean_lines(message)


def test_a_form_title_and_name_with_line_breaks_still_reach_the_visitor_in_one_subject_line(
    notifying, smtp
):
    app = notifying(LEADS_WEBHOOK_URL="", LEADS_NOTIFY_EMAIL="")
    with app.app_context():
        title = "News\r\nBcc: spy@evil.example\u2028letter\x0b"
        db.session.add(Form(slug="news", kind="newsletter", title=title, intent="low"))
        db.session.commit()
    Visitor(app.test_client()).submit("news", contact={"name": "Anna\u2028\r\nJansen"})

    ran = app.test_cli_runner().invoke(args=["worker", "--once"])

    assert ran.exit_code == 0, ran.output
    (mail,) = smtp.messages
    assert mail.rcpt_tos == ["anna@bakkerij-jansen.nl"]
    message = parsed(mail)
    assert subject_of(message) == "Please confirm your sign-up: News Bcc: spy@evil.example letter"
    assert message["Bcc"] is None
    assert_single_clean_lines(message)
    assert message.get_content().splitlines()[0] == "Hello Anna Jansen,"


def test_a_notification_that_cannot_be_built_fails_alone_and_the_rest_of_its_batch_goes_out(
    notifying, smtp, receiver, caplog
):
    app = notifying()
    with app.app_context():
        # An e-mail about a lead without the lead: nothing to write, on any try.
        broken = Outbox(
            event="lead.opportunity", channel="email", target="sales@x.example", payload={}
        )
        db.session.add(broken)
        db.session.commit()
        broken_id = broken.id
    Visitor(app.test_client()).submit("demo-contact")

    ran = app.test_cli_runner().invoke(args=["worker", "--once"])

    assert ran.exit_code == 0, ran.output
    assert "Tried 3 notifications." in ran.output
    assert len(smtp.messages) == 1 and len(receiver.calls) == 1
    with app.app_context():
        rows = db.session.scalars(db.select(Outbox).order_by(Outbox.id)).all()
        assert [(row.id, row.status) for row in rows] == [
            (broken_id, "failed"),
            (rows[1].id, "delivered"),
            (rows[2].id, "delivered"),
        ]
        assert rows[0].last_error == "KeyError: 'lead'" and rows[0].lease_until is None
    (logged,) = [r for r in caplog.records if f"outbox {broken_id} " in r.getMessage()]
    assert logged.exc_info is not None  # with its traceback


def test_a_notification_erased_with_its_lead_while_being_sent_stops_nothing(notifying):
    calls = []

    def erasing_receiver(environ, start_response):
        """Takes the call, but the person asks to be erased right then."""
        lead = json.loads(Request(environ).get_data())["lead"]
        calls.append(lead["email"])
        if lead["email"] == "anna@bakkerij-jansen.nl":
            with app.app_context():
                erase_by_request(lead["id"])
                db.session.remove()
        return Response("ok")(environ, start_response)

    with served(erasing_receiver) as port:
        app = notifying(LEADS_NOTIFY_EMAIL="", LEADS_WEBHOOK_URL=f"http://127.0.0.1:{port}/")
        Visitor(app.test_client()).submit("demo-contact")
        Visitor(app.test_client()).submit("demo-contact", contact={"email": "piet@example.nl"})

        ran = app.test_cli_runner().invoke(args=["worker", "--once"])

    assert ran.exit_code == 0, ran.output
    assert calls == ["anna@bakkerij-jansen.nl", "piet@example.nl"]
    assert outbox(app) == [("lead.opportunity", "webhook", "delivered")]


def test_a_running_worker_outlives_a_round_that_fails_and_delivers_after(notifying, smtp, caplog):
    app = notifying(LEADS_WEBHOOK_URL="", LEADS_WORKER_POLL_SECONDS=0.05)
    with app.app_context():
        # The database as good as down for the outbox: its table is gone a while.
        db.session.execute(text("ALTER TABLE outbox RENAME TO outbox_away"))
        db.session.commit()
    with running_worker(app) as thread:
        failed_round = wait_for(
            lambda: "a delivery round failed" in caplog.text or not thread.is_alive()
        )
        with app.app_context():
            db.session.execute(text("ALTER TABLE outbox_away RENAME TO outbox"))
            db.session.commit()
        assert failed_round and thread.is_alive()
        Visitor(app.test_client()).submit("demo-contact")
        wait_for(lambda: smtp.messages or not thread.is_alive())

    assert len(smtp.messages) == 1


def wait_for(condition, seconds: float = 30) -> bool:
    """Poll `condition` until it holds or `seconds` pass (generous: a busy machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())
