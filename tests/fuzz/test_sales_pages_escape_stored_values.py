"""Hostile values stored as a visitor stores them (through the public form),
then every page that shows leads, opened by an admin: the lists (whole page,
htmx results, search, filters, the live banner), each lead's page and its
erase page, the notifications, the insights with every drill-down, and the
exports. In HTML each value appears only escaped; in the CSV files no cell
starts a formula (= + - @ tab CR) without the leading quote."""

import csv
import io
import json
import re
from urllib.parse import urlencode

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from capture.demo.seed import seed_demo
from capture.extensions import db
from capture.models import Form, Lead, Outbox

from ..support.auth import Auth
from ..support.fuzz import (
    ANY_CHAR,
    BREAKOUTS,
    FORMULA_STARTS,
    answered,
    assert_escaped,
    carried,
    examples,
    fetch,
    form_page,
    hostile_text,
    page_of,
    shown,
    spreadsheet_safe,
    typed,
)

LISTS = ("opportunity", "nurture", "disqualified")
# How each list is reached through the public forms (capture/domain/routing.py).
ROUTES = {
    "opportunity": ("demo-contact", {"sector": "ict", "headcount": "50-99"}),
    "nurture": ("demo-ebook", {"sector": "ict", "headcount": "10-49"}),
    "disqualified": ("demo-ebook", {"sector": "ict", "headcount": "10-49", "role": "student"}),
}
# Valid addresses that a spreadsheet or a page could take for something else.
MAILBOXES = ("=cmd|x", "+1", "-2", "o'brien&co", "{x}|y=", "!#$%&'*+-/=?^_`{|}~", "a")
TAGS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid")


def stored_text(limit: int):
    """Hostile text that fits `limit` once NUL is dropped and it is trimmed, and holds
    a marked breakout attempt (so an unescaped copy is recognisable)."""
    return st.builds(
        lambda head, breakout, tail: head[: limit // 2] + breakout + tail,
        hostile_text(40),
        st.sampled_from(BREAKOUTS),
        st.text(ANY_CHAR, max_size=5),
    )


def person():
    return st.fixed_dictionaries(
        {
            "list": st.sampled_from(LISTS),
            "mailbox": st.sampled_from(MAILBOXES),
            "name": stored_text(200),
            "company": stored_text(200),
            "need": stored_text(2000),
            # A click id makes the lead `paid`; without one the tags decide the channel.
            "tags": st.fixed_dictionaries(
                {tag: stored_text(200) for tag in TAGS[:-1]},
                optional={"gclid": stored_text(200)},
            ),
            "referrer": st.one_of(
                stored_text(2000).map(lambda text: "https://evil.example/" + text),
                stored_text(2000).map(lambda text: "javascript:" + text),
            ),
        }
    )


CORPUS = [
    {
        "list": name_list,
        "mailbox": mailbox,
        "name": name,
        "company": company,
        "need": "</textarea><script>alert(1)</script><zqx7>",
        "tags": {
            "utm_source": '=HYPERLINK("http://evil.example","x")<zqx1>',
            "utm_medium": "+cpc<zqx1>",
            "utm_campaign": "-1+2 '><zqx3>",
            "utm_term": "@SUM(1) <zqx1>",
            "utm_content": "{{7*7}} ${7*7} <zqx1>",
            **({"gclid": '" zqx4="1'} if name_list != "nurture" else {}),
        },
        "referrer": referrer,
    }
    for name_list, mailbox, name, company, referrer in [
        (
            "opportunity",
            "=cmd|x",
            '<script>alert("zqx10")</script>',
            "=1+1 <img src=x zqx6=1 onerror=alert(1)>",
            "javascript:alert(1)//<zqx1>",
        ),
        (
            "nurture",
            "o'brien&co",
            "\u202e'><zqx3> Ñame \x00 ",
            "@evil <svg><zqx11/></svg>",
            'https://evil.example/"><zqx2>',
        ),
        (
            "disqualified",
            "-2",
            "  -2+3 </title><zqx8>",
            "\t+31 </dd></dl><zqx14>",
            "https://evil.example/<!--zqx12-->",
        ),
    ]
]

_serial = iter(range(1, 10**9))


@pytest.fixture
def notifying_app(make_app, users):
    """The app as an install that notifies sales of every new lead (webhook and
    e-mail) and e-mails the e-book's link: the outbox then holds the visitors'
    values too. Nothing is delivered (no worker runs)."""
    app = make_app(
        LEADS_NOTIFY_EMAIL="sales@example.nl",
        LEADS_NOTIFY_EVERY_LEAD=True,
        LEADS_SMTP_HOST="127.0.0.1",
        LEADS_SMTP_PORT=9,
        LEADS_WEBHOOK_URL="http://127.0.0.1:9/leadgate",
        LEADS_WEBHOOK_SECRET="fuzz",
    )
    with app.app_context():
        seed_demo()
        gate = db.session.scalars(db.select(Form).where(Form.slug == "demo-ebook")).one()
        gate.email_download = True
        db.session.commit()
    return app


def store(visitor, person: dict) -> str:
    """Send `person` through the public form as a visitor; return the e-mail key."""
    slug, answers = ROUTES[person["list"]]
    email = f"{person['mailbox']}{next(_serial)}@example.nl"
    query = urlencode({**person["tags"], "referrer": person["referrer"]})
    page = form_page(visitor, slug, query)
    contact = {"email": email, "name": person["name"], "company": person["company"]}
    first = visitor.post(page.action, data={**page.inputs, **contact, "consent": "y"})
    assert answered(first) == 200, first.text
    step = page_of(first)
    done = visitor.post(step.action, data={**step.inputs, **answers, "need": person["need"]})
    assert answered(done) == 200, done.text
    return email.casefold()


def lead_values(lead: Lead) -> dict:
    return {
        name: getattr(lead, name)
        for name in ("name", "company", "email", "need", "referrer", "source", *TAGS[:-1])
    }


NUMBER = re.compile(r"-?\d+(\.\d+)?")


def assert_spreadsheet_safe(body: bytes, where: str) -> list[dict]:
    """No cell of the CSV `body` starts a formula unless it is a plain number."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    for row in rows[1:]:
        for cell in row:
            starts_formula = cell.lstrip(" ").startswith(FORMULA_STARTS)
            assert not starts_formula or NUMBER.fullmatch(cell), f"{where}: {cell!r}"
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def html_of(client, path: str, htmx: bool = False) -> str:
    response = fetch(client, "GET", path, headers={"HX-Request": "true"} if htmx else {})
    assert answered(response) == 200, path
    assert response.mimetype == "text/html", path
    return response.text


@settings(max_examples=examples(6))
@given(people=st.lists(person(), min_size=1, max_size=3))
@example(people=CORPUS)
def test_every_stored_hostile_value_is_escaped_on_every_sales_page(notifying_app, users, people):
    visitor = notifying_app.test_client(use_cookies=False)
    keys = [store(visitor, one) for one in people]
    with notifying_app.app_context():
        leads = {
            key: db.session.scalars(db.select(Lead).where(Lead.email_key == key)).one()
            for key in keys
        }
        stored = {key: lead_values(lead) for key, lead in leads.items()}
        ids = {key: lead.id for key, lead in leads.items()}
        lists = {key: lead.list for key, lead in leads.items()}
        channels = {lead.channel for lead in db.session.scalars(db.select(Lead))}
        sources = {lead.source for lead in db.session.scalars(db.select(Lead))}
        outbox = db.session.scalar(db.select(db.func.count(Outbox.id)))
    # Stored as a visitor stores them (the rules of test_stored_values), on the list asked.
    for key, one in zip(keys, people, strict=True):
        assert stored[key]["name"] == typed(one["name"])
        assert stored[key]["utm_source"] == carried(one["tags"]["utm_source"], 200)
        assert lists[key] == one["list"]
    assert outbox >= len(keys)
    values = [v for lead in stored.values() for v in lead.values() if v]

    admin = notifying_app.test_client()
    Auth(admin, users).login("admin")

    for name in LISTS:
        for htmx in (False, True):
            html = html_of(admin, f"/sales/?list={name}", htmx)
            assert_escaped(html, values, f"/sales/?list={name}")
            for key, lead in stored.items():
                if lists[key] == name:
                    assert shown(html, lead["name"]) and shown(html, lead["company"])
        fresh = f"/sales/fresh?list={name}&loaded_at=2000-01-01T00%3A00%3A00%2B00%3A00"
        assert_escaped(html_of(admin, fresh), values, fresh)
    for key, lead in stored.items():
        # Search for the name (and for the other values: never an error).
        for needle in (lead["name"], lead["company"], lead["utm_source"] or ""):
            path = "/sales/?" + urlencode({"list": lists[key], "q": needle})
            html = html_of(admin, path)
            assert_escaped(html, values, path)
            if needle == lead["name"] and needle.isascii() and needle.isprintable():
                assert shown(html, lead["name"]), path
        page = html_of(admin, f"/sales/leads/{ids[key]}")
        assert_escaped(page, values, f"lead {ids[key]}")
        for name, value in lead.items():
            if value and name != "source":
                assert shown(page, value), name
        erase = html_of(admin, f"/admin/leads/{ids[key]}/erase")
        assert_escaped(erase, values, "erase page")
        assert shown(erase, lead["name"])
        export = fetch(admin, "GET", f"/admin/leads/{ids[key]}/export.json")
        assert export.mimetype == "application/json"
        assert export.headers["X-Content-Type-Options"] == "nosniff"
        assert json.loads(export.data)  # served as data, never as a page

    notifications = html_of(admin, "/admin/notifications")
    assert_escaped(notifications, values, "notifications")
    for lead in stored.values():
        assert shown(notifications, lead["name"])

    insights = ["/sales/insights/?period=90d"]
    insight_tables = ["?table=channels&period=90d", "?table=reasons&period=90d"]
    insight_tables += ["?table=funnel&period=90d", "?table=pipeline&period=90d"]
    for channel in channels:
        insights.append(f"/sales/insights/?period=90d&channel={channel}")
        insight_tables.append(f"?table=channels&period=90d&channel={channel}")
        for source in sources:
            drill = urlencode({"period": "90d", "channel": channel, "source": source or "(none)"})
            insights.append(f"/sales/insights/?{drill}")
            insight_tables.append(f"?table=channels&{drill}")
    for path in insights:
        for htmx in (False, True):
            assert_escaped(html_of(admin, path, htmx), values, path)
    for query in insight_tables:
        response = fetch(admin, "GET", "/sales/insights/export.csv" + query)
        assert answered(response) == 200
        assert_spreadsheet_safe(response.data, "insights " + query)

    for query in ("", *(f"?list={name}" for name in LISTS)):
        response = fetch(admin, "GET", "/sales/export.csv" + query)
        assert answered(response) == 200 and response.mimetype == "text/csv"
        rows = assert_spreadsheet_safe(response.data, "export.csv" + query)
        by_email = {row["email"]: row for row in rows}
        for key, lead in stored.items():
            if query and lists[key] not in query:
                continue
            row = by_email[spreadsheet_safe(lead["email"])]
            for name in ("email", "name", "company", "utm_source", "utm_medium"):
                assert row[name] == spreadsheet_safe(lead[name] or ""), name
            assert row["referrer"] == spreadsheet_safe(lead["referrer"] or "")
