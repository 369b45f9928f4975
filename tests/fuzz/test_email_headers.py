"""Whatever a visitor or an admin typed, every e-mail the outbox writes has
clean one-line headers, and writing it never fails.

For stored names, companies and form titles (hostile text, line breaks of
every kind, RFC 2047 encoded words), each e-mail built from the outbox (to
sales: new lead and opportunity; to the visitor: download and confirmation,
in English and Dutch) is checked as the rule says, written out again here:
every header is one line without control, format or separator characters
(the zero-width joiners aside) and no whitespace but a plain space; the
subject is at most 200 characters and starts no encoded word; the headers
are exactly those the app sets; and Python can send it (written out with
CRLF line ends) and read back as the same headers, each one clean line.
"""

import itertools
import unicodedata
from email import message_from_bytes, policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capture.extensions import db
from capture.models import Form, Outbox, Submission
from capture.notifications.delivery import Claimed, email_for
from capture.notifications.outbox import (
    NEW_LEAD,
    OPPORTUNITY,
    VISITOR_CONFIRM,
    VISITOR_DOWNLOAD,
    announce,
    mail_visitor,
)

from ..support.factories import make_lead
from ..support.fuzz import PAYLOADS, examples, fresh_email, hostile_text

HEADERS = {
    "Subject",
    "From",
    "To",
    "X-Leadgate-Delivery",
    "Content-Type",
    "Content-Transfer-Encoding",
    "MIME-Version",
}
LINE_BREAKING = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
ENCODED_WORDS = (
    "=?utf-8?q?Bob=0D=0ABcc:_spy@evil.example?=",
    "=?utf-8?b?Qm9iDQpCY2M6IHNweUBldmlsLmV4YW1wbGU=?=",
    "x=?iso-8859-1?q?=0A?=y",
    "=?",
    "==?",
)
pieces = st.one_of(
    st.sampled_from([*LINE_BREAKING, *ENCODED_WORDS, *PAYLOADS, ": ", "Bcc: spy@evil.example"]),
    st.text(max_size=8),
)
typed = st.one_of(hostile_text(), st.lists(pieces, max_size=8).map("".join))
# As a column keeps it: PostgreSQL stores no NUL, the columns hold 200 characters.
stored = typed.map(lambda text: text.replace("\x00", "")[:200])

_slugs = itertools.count(1)


@pytest.fixture
def mailing(make_demo_app):
    app = make_demo_app(
        LEADS_NOTIFY_EMAIL="sales@bakkerij.example, boss@bakkerij.example",
        LEADS_SMTP_HOST="127.0.0.1",  # never contacted: the e-mails are only built
        LEADS_WEBHOOK_URL="",
    )
    with app.app_context():
        yield app


def stored_emails(name: str, company: str, title: str, language: str) -> list:
    """The outbox rows of a lead and form with these values, as e-mails."""
    form = Form(slug=f"fuzz-mail-{next(_slugs)}", kind="gate", title=title, intent="low")
    form.language = language
    db.session.add(form)
    db.session.flush()
    lead = make_lead(name=name, company=company, email=fresh_email(), form_id=form.id)
    lead.first_form_id = form.id
    for event in (OPPORTUNITY, NEW_LEAD):
        announce(lead, event)
    # A visitor's e-mail is addressed with what their submission typed.
    submission = db.session.scalars(
        db.select(Submission).where(Submission.lead_id == lead.id)
    ).one()
    submission.answers = {"name": name, "email": lead.email}
    for event in (VISITOR_DOWNLOAD, VISITOR_CONFIRM):
        mail_visitor(lead, submission, form, event, "http://localhost/d/token")
    db.session.commit()
    rows = db.session.scalars(db.select(Outbox).where(Outbox.lead_id == lead.id)).all()
    assert len(rows) == 4
    return [email_for(Claimed(r.id, r.event, r.channel, r.target, r.payload, 1)) for r in rows]


def assert_clean_line(name: str, value: str) -> None:
    for ch in value:
        category = unicodedata.category(ch)
        assert category not in ("Cc", "Zl", "Zp", "Cs"), (name, value)
        assert category != "Cf" or ch in "\u200c\u200d", (name, value)
        assert not ch.isspace() or ch == " ", (name, value)
    assert value == value.strip(), (name, value)


@settings(max_examples=examples(60))
@given(name=stored, company=stored, title=stored, language=st.sampled_from(["en", "nl"]))
def test_every_header_of_every_outbox_email_is_one_clean_line(
    mailing, name, company, title, language
):
    for message in stored_emails(name, company, title, language):
        assert set(message.keys()) == HEADERS
        for header, value in message.items():
            assert_clean_line(header, str(value))
        assert len(message["Subject"]) <= 200 and "=?" not in message["Subject"]

        sent = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        received = message_from_bytes(sent, policy=policy.default)
        assert set(received.keys()) == HEADERS
        # (Read back, not always the same text: Python's folding can drop a space
        # between two encoded words or leave one undecoded. Still nothing added.)
        for header in HEADERS:
            assert_clean_line(header, str(received[header]).lstrip(" "))
