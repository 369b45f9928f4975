"""Data minimisation (AVG/GDPR): what a visitor's request carries but Leadgate
must not keep.

A visitor with a distinctive address and user agent goes through everything
public: the home page, the loader, the contact form and the e-book gate (both
steps each), the e-book download and a newsletter sign-up confirmed by its
e-mailed link, with every notification destination switched on. Afterwards
no column of any table, no request-log line and no notification holds the
address or the user agent; and no public answer, error answers included,
sets a cookie.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import request as flask_request
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import LargeBinary, MetaData, Text, cast, select

from capture.demo.seed import seed_demo
from capture.extensions import db
from capture.intake.confirm import CONFIRM_SALT
from capture.intake.downloads import DOWNLOAD_SALT
from capture.models import Form, Outbox, Setting, Submission
from capture.notifications.delivery import Claimed, email_for
from capture.web.request_log import logger as request_logger

from .support.downloads import DayOldSigner
from .support.visitor import CONTACT, Visitor

VISITOR_ADDRESS = "203.0.113.77"
FORWARDED_ADDRESS = "198.51.100.23"
PROXY_ADDRESS = "192.0.2.61"  # the reverse proxy's own address, in front of Leadgate
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) UniqueAgent/9.9.9 Chrome/130.0"
AGENT_MARKERS = ("UniqueAgent", USER_AGENT)

NOTIFYING = {
    "LEADS_WEBHOOK_URL": "http://127.0.0.1:9/hooks/leadgate",
    "LEADS_WEBHOOK_SECRET": "minimisation-secret",
    "LEADS_NOTIFY_EMAIL": "sales@leadgate.test",
    "LEADS_SMTP_HOST": "127.0.0.1",
    "LEADS_NOTIFY_EVERY_LEAD": True,
    # The rate limiter reads the address on every post: have it on.
    "RATELIMIT_ENABLED": True,
    "LEADS_POST_LIMIT": "1000 per minute",
}
# How a visitor reaches Leadgate: straight, or through one reverse proxy.
ROUTES = {
    "direct": {
        "config": {},
        "environ": {"REMOTE_ADDR": VISITOR_ADDRESS},
        "visitor_address": VISITOR_ADDRESS,
    },
    "behind_a_proxy": {
        "config": {"LEADS_PROXY_HOPS": 1},
        "environ": {"REMOTE_ADDR": PROXY_ADDRESS, "HTTP_X_FORWARDED_FOR": FORWARDED_ADDRESS},
        "visitor_address": FORWARDED_ADDRESS,
    },
}
GATE_PERSON = {"email": "piet@bakkerij-jansen.nl", "name": "Piet Jansen"}
NEWSLETTER_PERSON = {"email": "kees@bakkerij-jansen.nl", "name": "Kees Jansen"}


def address_forms(address: str) -> list[str]:
    """The address as text, and the unsalted hashes a careless change might store."""
    raw = address.encode()
    return [address] + [hashlib.new(name, raw).hexdigest() for name in ("md5", "sha1", "sha256")]


# --- reading back everything that was stored -------------------------------------------


def _as_text(column):
    if isinstance(column.type, LargeBinary):
        return column  # bytes, decoded below: a cast would give PostgreSQL's hex
    return cast(column, Text).label(column.name)


def stored_values(app) -> list[tuple[str, str]]:
    """("table.column", value as text) for every value in every column of every
    table in the database, found by reflection (so tables the models do not
    know, such as Alembic's, are read too). JSON is compared as its text."""
    with app.app_context():
        reflected = MetaData()
        reflected.reflect(bind=db.engine)
        assert {table.name for table in db.metadata.sorted_tables} <= set(reflected.tables)
        values = []
        with db.engine.connect() as connection:
            for table in reflected.sorted_tables:
                columns = list(table.columns)
                for row in connection.execute(select(*[_as_text(c) for c in columns])):
                    for column, value in zip(columns, row, strict=True):
                        if isinstance(value, bytes | bytearray | memoryview):
                            value = bytes(value).decode("latin-1")
                        if value is not None:
                            values.append((f"{table.name}.{column.name}", str(value)))
        return values


def places_holding(values: list[tuple[str, str]], needle: str) -> set[str]:
    """The columns where some value contains `needle` (ignoring case)."""
    wanted = needle.casefold()
    return {place for place, value in values if wanted in value.casefold()}


def leaks(texts: dict[str, str], needles) -> dict[str, list[str]]:
    """needle -> the labels of the texts that contain it (ignoring case), if any."""
    found = {}
    for needle in needles:
        where = [label for label, text in texts.items() if needle.casefold() in text.casefold()]
        if where:
            found[needle] = where
    return found


# --- the request log, captured with caplog ---------------------------------------------


class _ToCaplog(logging.Handler):
    """Hands each record to caplog's handler of the phase running then (setup or
    call), unless pytest attached that handler to the logger itself."""

    def __init__(self, caplog):
        super().__init__()
        self.caplog = caplog

    def emit(self, record):
        if self.caplog.handler not in request_logger.handlers:
            self.caplog.handler.handle(record)


@pytest.fixture
def logs(caplog, monkeypatch):
    """caplog, sure to receive the request log: that logger does not propagate to
    the root logger caplog listens on (recent pytest attaches caplog's handler
    to such loggers, but only to those that were so when the phase began), so
    records are also passed on from a handler of its own. Propagation is off
    meanwhile: no line is caught twice."""
    caplog.set_level(logging.INFO, logger=request_logger.name)
    monkeypatch.setattr(request_logger, "propagate", False)
    to_caplog = _ToCaplog(caplog)
    request_logger.addHandler(to_caplog)
    yield caplog
    request_logger.removeHandler(to_caplog)


def captured(caplog) -> list[logging.LogRecord]:
    """Every record of this test, the fixtures' requests (setup) included."""
    return caplog.get_records("setup") + caplog.get_records("call")


def request_log_lines(caplog) -> list[str]:
    return [r.getMessage() for r in captured(caplog) if r.name == request_logger.name]


def log_texts(caplog) -> dict[str, str]:
    """Every captured log record, by any logger, as "n logger: message" -> full text
    (the message and any extra attributes a formatter could print)."""
    texts = {}
    for number, record in enumerate(captured(caplog)):
        extras = {k: v for k, v in vars(record).items() if k not in ("msg", "args", "message")}
        label = f"{number} {record.name}: {record.getMessage()[:120]}"
        texts[label] = f"{record.getMessage()} {extras!r} {caplog.handler.format(record)}"
    return texts


# --- a visitor who does everything public ---------------------------------------------


@dataclass
class Visit:
    app: object
    client: object
    visitor_address: str
    addresses: list[str]
    caplog: object
    # (remote address, user agent) as the app saw them on each request
    seen: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _visit_everything(visit: Visit) -> None:
    client, answers = visit.client, visit.answers
    answers["home"] = client.get("/")
    answers["loader"] = client.get("/embed.js")
    answers["health"] = client.get("/healthz")
    visitor = Visitor(client)
    query = "utm_source=linkedin&utm_medium=social&utm_campaign=privacy"
    answers["contact done"] = visitor.submit("demo-contact", query=query)
    answers["gate done"] = visitor.submit("demo-ebook", contact=GATE_PERSON)
    link = BeautifulSoup(answers["gate done"].get_data(as_text=True), "html.parser").select_one(
        "a[download]"
    )
    answers["download"] = client.get(_path(link["href"]))
    answers["newsletter done"] = visitor.submit("news", contact=NEWSLETTER_PERSON)
    with visit.app.app_context():
        confirm_link = db.session.scalars(
            db.select(Outbox.payload).where(Outbox.event == "visitor.confirm")
        ).one()["link"]
    answers["confirm page"] = client.get(_path(confirm_link))
    answers["confirmed"] = client.post(_path(confirm_link))


@pytest.fixture(params=list(ROUTES))
def whole_visit(request, make_app, logs):
    """Everything public done by one visitor, on an app with every notification on."""
    route = ROUTES[request.param]
    app = make_app(**NOTIFYING, **route["config"])
    with app.app_context():
        seed_demo()
        gate = db.session.scalar(db.select(Form).where(Form.slug == "demo-ebook"))
        gate.email_download = True
        db.session.add(
            Form(slug="news", kind="newsletter", title="The monthly newsletter", intent="low")
        )
        db.session.commit()
    client = app.test_client()
    client.environ_base = {**route["environ"], "HTTP_USER_AGENT": USER_AGENT}
    visit = Visit(
        app=app,
        client=client,
        visitor_address=route["visitor_address"],
        addresses=[VISITOR_ADDRESS, FORWARDED_ADDRESS, PROXY_ADDRESS],
        caplog=logs,
    )

    @app.before_request
    def note_what_the_app_sees():
        visit.seen.append((flask_request.remote_addr, flask_request.user_agent.string))

    _visit_everything(visit)

    statuses = {name: answer.status_code for name, answer in visit.answers.items()}
    assert statuses == dict.fromkeys(visit.answers, 200), statuses
    assert visit.answers["download"].data.startswith(b"%PDF-")
    assert "You are on the list" in visit.answers["confirmed"].get_data(as_text=True)
    # The address and agent did reach the app: their absence below means something.
    assert set(visit.seen) == {(visit.visitor_address, USER_AGENT)}
    return visit


# --- promise 1: no raw IP address is stored --------------------------------------------


def test_no_ip_address_is_stored_anywhere_after_a_whole_submission(whole_visit):
    values = stored_values(whole_visit.app)

    found = {
        form: sorted(places)
        for address in whole_visit.addresses
        for form in address_forms(address)
        if (places := places_holding(values, form))
    }
    assert found == {}, f"IP addresses (or their hashes) stored in: {found}"
    # The submissions were stored: there was something to look through.
    assert "submissions.answers" in places_holding(values, GATE_PERSON["email"])


def test_the_request_log_holds_no_ip_address(whole_visit):
    lines = request_log_lines(whole_visit.caplog)
    records = [json.loads(line) for line in lines]

    # One line per request the visitor made, as the log promises.
    assert len(lines) == len(whole_visit.seen)
    assert {"intake.show", "intake.submit", "intake.download", "intake.confirm_signup"} <= {
        record["endpoint"] for record in records
    }
    address_texts = [form for a in whole_visit.addresses for form in address_forms(a)]
    assert leaks(dict(enumerate(lines)), address_texts) == {}
    # Nor does any other log record written meanwhile, by any logger.
    assert leaks(log_texts(whole_visit.caplog), whole_visit.addresses) == {}


# --- promise 2: the user agent is not stored -------------------------------------------


def test_the_user_agent_is_not_stored_anywhere_after_a_whole_submission(whole_visit):
    values = stored_values(whole_visit.app)

    found = {marker: sorted(places_holding(values, marker)) for marker in AGENT_MARKERS}
    assert found == dict.fromkeys(AGENT_MARKERS, []), f"the user agent is stored in: {found}"


def test_the_request_log_holds_no_user_agent(whole_visit):
    lines = request_log_lines(whole_visit.caplog)

    assert lines
    assert leaks(dict(enumerate(lines)), AGENT_MARKERS) == {}
    assert leaks(log_texts(whole_visit.caplog), AGENT_MARKERS) == {}


# --- promise 3: notifications carry neither ---------------------------------------------


def test_notifications_and_visitor_e_mails_hold_no_ip_address_or_user_agent(whole_visit):
    app = whole_visit.app
    with app.app_context():
        rows = db.session.scalars(db.select(Outbox).order_by(Outbox.id)).all()
        # Every column of every row, and what the worker would send from it:
        # the e-mail as it goes over SMTP, the webhook's JSON body.
        texts = {}
        for row in rows:
            label = f"outbox {row.id} {row.event} by {row.channel}"
            columns = {c.name: getattr(row, c.name) for c in Outbox.__table__.columns}
            texts[f"{label}: row"] = json.dumps(columns, default=str)
            item = Claimed(row.id, row.event, row.channel, row.target, row.payload, 1)
            if row.channel == "email":
                texts[f"{label}: e-mail"] = email_for(item).as_string()
            else:
                texts[f"{label}: webhook body"] = json.dumps(row.payload, separators=(",", ":"))
        events = {(row.event, row.channel) for row in rows}

    # Every kind of notification was written, so each was looked at.
    assert events == {
        ("lead.opportunity", "email"),
        ("lead.opportunity", "webhook"),
        ("lead.created", "email"),
        ("lead.created", "webhook"),
        ("visitor.download", "email"),
        ("visitor.confirm", "email"),
    }
    needles = [
        *(form for a in whole_visit.addresses for form in address_forms(a)),
        *AGENT_MARKERS,
    ]
    assert leaks(texts, needles) == {}


# --- the checks above can fail ----------------------------------------------------------


def test_the_database_scan_reads_every_text_and_json_column(whole_visit):
    app = whole_visit.app
    with app.app_context():
        db.session.add(Setting(key="minimisation-probe", value={"seen": [VISITOR_ADDRESS]}))
        db.session.commit()

    values = stored_values(app)

    assert places_holding(values, VISITOR_ADDRESS) == {"settings.value"}
    holding_email = places_holding(values, GATE_PERSON["email"].upper())
    assert {"leads.email", "submissions.answers", "outbox.payload", "outbox.target"} <= (
        holding_email
    )
    assert places_holding(values, "linkedin") >= {"leads.utm_source", "submissions.utm_source"}
    assert {place.split(".")[0] for place, _ in values} >= {"alembic_version", "form_counts"}


# --- promise 5: public pages set no cookies, error answers included --------------------


def _signed(app, salt: str, payload: dict, signer=None) -> str:
    options = {"signer": signer} if signer else {}
    return URLSafeTimedSerializer(app.secret_key, salt=salt, **options).dumps(payload)


def no_cookies_everywhere(answers: dict) -> dict:
    """label -> (status, Set-Cookie headers) of every answer that sets a cookie."""
    return {
        label: (answer.status_code, answer.headers.getlist("Set-Cookie"))
        for label, answer in answers.items()
        if answer.headers.getlist("Set-Cookie")
    }


def test_no_public_answer_sets_a_cookie_not_even_an_error(app):
    with app.app_context():
        db.session.add(Form(slug="news", kind="newsletter", title="News", intent="low"))
        db.session.commit()
    client = app.test_client()
    htmx = {"HX-Request": "true"}
    framed = {"Referer": "http://localhost:8000/contact"}
    answers = {}

    answers["GET /"] = client.get("/")
    answers["HEAD /"] = client.head("/")
    answers["GET /healthz"] = client.get("/healthz")
    loader = answers["GET /embed.js"] = client.get("/embed.js")
    answers["GET /embed.js 304"] = client.get(
        "/embed.js", headers={"If-None-Match": loader.headers["ETag"]}
    )
    for script in ("vendor/htmx-2.0.4.min.js", "js/form.js", "js/embed-frame.js"):
        answers[f"GET /static/{script}"] = client.get(f"/static/{script}")
    answers["GET /static/css/leadgate.css"] = client.get("/static/css/leadgate.css")
    answers["HEAD /f/demo-contact"] = client.head("/f/demo-contact")
    answers["GET /f/demo-contact?embed=1"] = client.get("/f/demo-contact?embed=1", headers=framed)

    for slug in ("demo-contact", "demo-ebook", "news"):
        visitor = Visitor(client)
        answers[f"GET /f/{slug}"] = visitor.open(slug)
        answers[f"POST /f/{slug} without consent"] = visitor.post(CONTACT)
        answers[f"POST /f/{slug} contact step"] = visitor.post({"consent": "y"})
        answers[f"POST /f/{slug} qualify step, no answers"] = visitor.post({"headcount": ""})
        answers[f"POST /f/{slug} qualify step"] = visitor.post(
            {"sector": "ict", "headcount": "50-99"}
        )
    htmx_visitor = Visitor(client, headers=htmx)
    htmx_visitor.open("demo-ebook", query="embed=1", **framed)
    answers["htmx POST without consent"] = htmx_visitor.post(
        {**CONTACT, "email": "joost@example.nl"}
    )
    answers["htmx POST contact step"] = htmx_visitor.post({"consent": "y"})
    answers["htmx POST qualify step"] = htmx_visitor.post({"sector": "ict", "headcount": "50-99"})
    broken = Visitor(client)
    broken.open("demo-contact")
    answers["POST tampered form token"] = broken.post({**CONTACT, "consent": "y", "token": "x"})
    answers["POST tampered step token"] = client.post(
        "/f/demo-contact", data={"step": "qualify", "step_token": "x", "sector": "ict"}
    )
    bot = Visitor(client)
    bot.open("demo-contact")
    answers["POST honeypot filled"] = bot.post(
        {**CONTACT, "consent": "y", "lg_trap": "http://spam.example"}
    )

    with app.app_context():
        gate_submission = db.session.scalar(
            db.select(Submission.id).join(Form).where(Form.slug == "demo-ebook").limit(1)
        )
        news_submission = db.session.scalar(
            db.select(Submission.id).join(Form).where(Form.slug == "news")
        )
    download = _signed(app, DOWNLOAD_SALT, {"s": gate_submission})
    answers["GET /d/<link>"] = client.get(f"/d/{download}")
    answers["GET /d/<expired link>"] = client.get(
        f"/d/{_signed(app, DOWNLOAD_SALT, {'s': gate_submission}, DayOldSigner)}"
    )
    answers["GET /d/<tampered link>"] = client.get(f"/d/{download[:-4]}AAAA")
    confirm = _signed(app, CONFIRM_SALT, {"s": news_submission})
    answers["GET /c/<link>"] = client.get(f"/c/{confirm}")
    answers["POST /c/<link>"] = client.post(f"/c/{confirm}")
    answers["GET /c/<forged link>"] = client.get("/c/not-a-real-token")
    answers["POST /c/<forged link>"] = client.post("/c/not-a-real-token")
    answers["GET /f/no-such-form"] = client.get("/f/no-such-form")
    answers["POST /f/no-such-form"] = client.post("/f/no-such-form", data=CONTACT)
    answers["GET /no-such-page"] = client.get("/no-such-page")
    answers["PUT /f/demo-contact"] = client.put("/f/demo-contact")

    statuses = {label: answer.status_code for label, answer in answers.items()}
    # The error answers were really errors: each is covered.
    assert {404, 405, 410, 422} <= set(statuses.values()), statuses
    assert statuses["POST /f/demo-contact without consent"] == 422
    assert statuses["GET /embed.js 304"] == 304
    assert statuses["GET /d/<expired link>"] == 410
    assert statuses["GET /d/<tampered link>"] == statuses["GET /c/<forged link>"] == 404
    assert statuses["GET /d/<link>"] == statuses["POST /c/<link>"] == 200
    assert no_cookies_everywhere(answers) == {}
    assert client.get_cookie("session") is None


def test_a_rate_limited_post_sets_no_cookie_and_logs_no_address(make_app, logs):
    app = make_app(RATELIMIT_ENABLED=True, LEADS_POST_LIMIT="2 per minute")
    with app.app_context():
        seed_demo()
    client = app.test_client()
    client.environ_base = {"REMOTE_ADDR": VISITOR_ADDRESS, "HTTP_USER_AGENT": USER_AGENT}
    answers = {}
    visitor = Visitor(client)
    answers["GET /f/demo-ebook"] = visitor.open("demo-ebook")
    answers["1st POST"] = visitor.post({**CONTACT, "consent": "y"})
    answers["2nd POST"] = visitor.post({"sector": "ict", "headcount": "50-99"})
    visitor.open("demo-ebook")
    answers["3rd POST"] = visitor.post({**CONTACT, "consent": "y"})
    htmx_visitor = Visitor(client, headers={"HX-Request": "true"})
    htmx_visitor.open("demo-ebook")
    answers["4th POST, htmx"] = htmx_visitor.post({**CONTACT, "consent": "y"})
    answers["GET after the limit"] = client.get("/f/demo-ebook")

    statuses = [answer.status_code for answer in answers.values()]
    assert statuses == [200, 200, 200, 429, 429, 200]
    assert no_cookies_everywhere(answers) == {}
    lines = request_log_lines(logs)
    assert [json.loads(line)["status"] for line in lines].count(429) == 2
    assert leaks(dict(enumerate(lines)), [*address_forms(VISITOR_ADDRESS), *AGENT_MARKERS]) == {}


def test_a_hit_rate_limit_is_not_logged_with_the_address_even_at_info(make_app, caplog):
    import logging

    app = make_app(LEADS_POST_LIMIT="1 per minute", RATELIMIT_ENABLED=True)
    with app.app_context():
        from capture.demo.seed import seed_demo

        seed_demo()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.99"
    caplog.set_level(logging.INFO)
    for _ in range(3):
        client.post("/f/demo-contact", data={"email": "x@example.nl"})
    assert client.post("/f/demo-contact", data={}).status_code == 429
    assert not [r for r in caplog.records if "203.0.113.99" in r.getMessage()]
