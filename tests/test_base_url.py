"""LEADS_BASE_URL: every link Leadgate e-mails, posts or hands the admin is
built on the configured address, never on the Host a visitor sends; and
LEADS_TRUSTED_HOSTS refuses other hosts, the health check excepted."""

import json
import logging
import os
import re
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from capture import config, create_app
from capture.demo.seed import seed_demo
from capture.extensions import db
from capture.models import Form, Outbox
from capture.notifications.delivery import deliver_due
from capture.web.base_url import absolute_url

from .support.config import base_config
from .support.receivers import Receiver
from .support.servers import served, smtp_inbox
from .support.visitor import Visitor

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://leads.example.nl"
FORGED = "evil.example"
LINK = re.compile(r"https?://[^\s\"'<>]+")
# The links Leadgate hands out: a lead for sales, a download, a confirmation.
LEADGATE_PATHS = ("/sales/leads/", "/d/", "/c/")


@pytest.fixture
def outside(make_app):
    """An app on BASE that e-mails sales, a webhook and visitors, with a gate
    that mails its download and a newsletter that mails its confirmation."""
    receiver = Receiver()
    with smtp_inbox() as inbox, served(receiver) as port:

        def build(**overrides):
            app = make_app(
                LEADS_BASE_URL=BASE,
                LEADS_NOTIFY_EMAIL="sales@bakkerij.example",
                LEADS_SMTP_HOST="127.0.0.1",
                LEADS_SMTP_PORT=inbox.port,
                LEADS_SMTP_TLS="none",
                LEADS_WEBHOOK_URL=f"http://127.0.0.1:{port}/hooks",
                LEADS_WEBHOOK_SECRET="webhook-secret",
                **overrides,
            )
            with app.app_context():
                seed_demo()
                gate = db.session.scalar(db.select(Form).where(Form.slug == "demo-ebook"))
                gate.email_download = True
                db.session.add(Form(slug="news", kind="newsletter", title="News", intent="low"))
                db.session.commit()
            return app

        yield build, inbox, receiver


def _mail_texts(inbox) -> list[str]:
    return [
        message_from_bytes(mail.content, policy=policy.default).get_content()
        for mail in inbox.messages
    ]


def _outbox_payloads(app) -> list[str]:
    with app.app_context():
        return [json.dumps(row.payload) for row in db.session.scalars(db.select(Outbox))]


FORGERIES = [
    pytest.param({"Host": FORGED}, {}, id="Host"),
    pytest.param({"X-Forwarded-Host": FORGED}, {"LEADS_PROXY_HOPS": 1}, id="X-Forwarded-Host"),
]


@pytest.mark.parametrize(("headers", "settings"), FORGERIES)
def test_links_leadgate_sends_start_with_the_base_url_whatever_host_the_visitor_names(
    outside, headers, settings
):
    build, inbox, receiver = outside
    app = build(**settings)
    for slug in ("demo-contact", "demo-ebook", "news"):
        visitor = Visitor(app.test_client(), headers=headers)
        visitor.submit(slug, contact={"email": f"anna.{slug}@bakkerij-jansen.nl"})
    stored = _outbox_payloads(app)
    with app.app_context():
        while deliver_due():
            pass

    sent = [*stored, *_mail_texts(inbox), *(body.decode() for _, body in receiver.calls)]
    links = [link for text in sent for link in LINK.findall(text)]
    ours = [link for link in links if any(path in link for path in LEADGATE_PATHS)]
    # Every kind was sent, in a stored row and in what left: a sales e-mail
    # and webhook, a download e-mail, a confirmation e-mail.
    assert {path for path in LEADGATE_PATHS for link in ours if path in link} == set(LEADGATE_PATHS)
    assert len(inbox.messages) == 3 and len(receiver.calls) == 1
    assert all(link.startswith(BASE + "/") for link in ours), ours
    assert not [text for text in sent if FORGED in text]


def test_the_thank_you_download_link_is_on_the_base_url(outside):
    build, _, _ = outside
    app = build()

    done = Visitor(app.test_client(), headers={"Host": FORGED}).submit("demo-ebook")

    page = BeautifulSoup(done.get_data(as_text=True), "html.parser")
    (download,) = [a["href"] for a in page.select("a[href]") if "/d/" in a["href"]]
    assert download.startswith(BASE + "/d/")


def test_the_users_page_names_the_login_address_on_the_base_url(app, client, auth):
    app.config["LEADS_BASE_URL"] = BASE
    auth.login("admin")

    page = client.get("/admin/users", base_url="https://localhost:8443")

    assert f"<code>{BASE}/login</code>" in page.get_data(as_text=True)


@pytest.mark.parametrize(("headers", "settings"), FORGERIES)
def test_with_trusted_hosts_another_host_is_refused_but_the_health_check_answers(
    make_demo_app, headers, settings
):
    app = make_demo_app(LEADS_BASE_URL=BASE, LEADS_TRUSTED_HOSTS="www.example.nl", **settings)
    client = app.test_client()

    refused = client.get("/f/demo-contact", headers=headers)
    posted = client.post("/f/demo-contact", headers=headers, data={"email": "a@b.nl"})
    health = client.get("/healthz", headers=headers)
    by_address = client.get("/healthz", headers={"Host": "10.0.0.7:8080"})

    assert refused.status_code == posted.status_code == 400
    assert health.status_code == by_address.status_code == 200
    assert by_address.get_json() == {"status": "ok", "database": "ok"}
    for host in ("leads.example.nl", "www.example.nl"):
        assert client.get("/f/demo-contact", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("leads.example.nl", "https://"),
        ("ftp://leads.example.nl", "https://"),
        ("https://", "no valid host"),
        ("https://leads.example.nl/leadgate", "a path prefix is not supported"),
        ("https://leads.example.nl/?x=1", "query"),
        ("https://leads.example.nl#top", "fragment"),
        ("https://anna:secret@leads.example.nl", "user name"),
        ("https://leads.example.nl:port", "not a web address"),
    ],
)
def test_a_base_url_that_links_cannot_be_built_on_is_refused_with_the_reason(
    tmp_path, raw, problem
):
    with pytest.raises(ValueError, match=re.escape(problem)):
        create_app({**base_config(f"sqlite:///{tmp_path}/x.db", tmp_path), "LEADS_BASE_URL": raw})


@pytest.mark.parametrize(
    "raw", ["https://leads.example.nl/", " https://leads.example.nl ", "https://leads.example.nl"]
)
def test_a_base_url_is_kept_without_its_trailing_slash(tmp_path, raw):
    app = create_app({**base_config(f"sqlite:///{tmp_path}/x.db", tmp_path), "LEADS_BASE_URL": raw})

    with app.app_context():
        assert absolute_url("auth.login") == "https://leads.example.nl/login"


def test_without_a_base_url_links_use_the_development_address_with_one_warning(tmp_path, caplog):
    config._warn_of_the_dev_base_url.cache_clear()
    settings = {**base_config(f"sqlite:///{tmp_path}/x.db", tmp_path), "LEADS_BASE_URL": ""}

    with caplog.at_level(logging.WARNING, logger="capture.config"):
        first, _second = create_app(settings), create_app(settings)

    warnings = [r for r in caplog.records if "LEADS_BASE_URL is not set" in r.getMessage()]
    assert len(warnings) == 1
    with first.app_context():  # outside a request, as in the CLI and the worker
        assert absolute_url("sales.lead", lead_id=7) == "http://127.0.0.1:5000/sales/leads/7"


def _env_without_base_url(tmp_path) -> dict:
    dotenv = ROOT / ".env"
    if dotenv.exists() and "LEADS_BASE_URL" in dotenv.read_text():
        pytest.skip("this checkout's .env sets LEADS_BASE_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADS_", "TEST_"))}
    return {**env, "LEADGATE_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}


def test_the_cli_without_a_base_url_warns_once_and_carries_on(tmp_path):
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "init-db"]

    done = subprocess.run(
        flask, cwd=ROOT, env=_env_without_base_url(tmp_path), capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.count("LEADS_BASE_URL is not set") == 1
    assert "http://127.0.0.1:5000" in done.stderr
