"""Where forms are embedded: each showing framed by another site is counted per
form, origin, day and whether it was allowed; anonymous and bounded."""

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from capture.db.tallies import Tally
from capture.extensions import db
from capture.leads.embed_counts import EMBEDS, MOST_ORIGINS_A_DAY, embed_tally
from capture.leads.funnel_counts import view_tally
from capture.models import EmbedCount, Form, FormCount

from ..support.embedding import restrict_embedding
from ..support.faults import table_away
from ..support.visitor import Visitor

SHOP = "https://shop.example.nl"


def form_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Form.id).where(Form.slug == slug))


def embed_counts(app) -> dict[tuple[str, str, bool], int]:
    """(form slug, origin, allowed) -> showings, over every day."""
    with app.app_context():
        rows = db.session.execute(
            db.select(Form.slug, EmbedCount.origin, EmbedCount.allowed, EmbedCount.count).join(
                Form, Form.id == EmbedCount.form_id
            )
        ).all()
    counted: dict[tuple[str, str, bool], int] = {}
    for slug, origin, allowed, count in rows:
        counted[(slug, origin, allowed)] = counted.get((slug, origin, allowed), 0) + count
    return counted


def views(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(FormCount.count), 0)).where(
                FormCount.form_id == form_id(app, slug), FormCount.event == "view"
            )
        )


def show_framed(client, slug: str, page: str | None, query: str = "embed=1", **headers):
    """The form as an iframe on `page` asks for it: its Referer is that page."""
    sent = {"Referer": page, **headers} if page else headers
    return Visitor(client).open(slug, query, **sent)


def test_a_showing_on_another_site_counts_for_that_site_today(app, client):
    before = datetime.now(UTC).date()
    show_framed(client, "demo-ebook", f"{SHOP}/resources/e-book?utm_source=news#top")
    show_framed(client, "demo-ebook", f"{SHOP}/")
    after = datetime.now(UTC).date()

    assert embed_counts(app) == {("demo-ebook", SHOP, True): 2}
    with app.app_context():
        (row,) = db.session.scalars(db.select(EmbedCount)).all()
        assert before <= row.day <= after
    assert views(app, "demo-ebook") == 2  # and they are views of its funnel


def test_a_refused_showing_counts_as_refused_and_is_no_view(app, client):
    restrict_embedding(app, "demo-contact", SHOP)

    show_framed(client, "demo-contact", "https://forgotten-shop.example.nl/contact")
    show_framed(client, "demo-contact", "https://forgotten-shop.example.nl/contact")
    show_framed(client, "demo-contact", f"{SHOP}/contact")

    assert embed_counts(app) == {
        ("demo-contact", "https://forgotten-shop.example.nl", False): 2,
        ("demo-contact", SHOP, True): 1,
    }
    assert views(app, "demo-contact") == 1


def test_the_counters_hold_the_origin_only_never_a_page_or_a_visitor(app, client):
    show_framed(client, "demo-ebook", "https://www.example.nl:8443/path/to/page?email=a@b.nl")

    assert {column.name for column in EmbedCount.__table__.columns} == {
        "form_id",
        "day",
        "origin",
        "allowed",
        "count",
    }
    assert list(embed_counts(app)) == [("demo-ebook", "https://www.example.nl:8443", True)]


@pytest.mark.parametrize(
    ("page", "query", "headers"),
    [
        pytest.param(f"{SHOP}/", "", {}, id="not-embedded"),
        pytest.param(None, "embed=1", {}, id="no-referer"),
        pytest.param("http://localhost/admin/forms/1/embed", "embed=1", {}, id="admin-preview"),
        pytest.param("http://localhost/some-page", "embed=1", {}, id="leadgate-itself"),
        pytest.param(
            f"{SHOP}/",
            "embed=1",
            {"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"},
            id="link-preview",
        ),
        pytest.param(
            f"{SHOP}/",
            "embed=1",
            {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
            id="bot",
        ),
    ],
)
def test_robots_leadgates_own_pages_and_the_hosted_page_count_no_embedding(
    app, client, page, query, headers
):
    show_framed(client, "demo-ebook", page, query, **headers)

    assert embed_counts(app) == {}


def test_a_head_request_counts_no_embedding(app, client):
    answer = client.head("/f/demo-ebook?embed=1", headers={"Referer": f"{SHOP}/"})
    answer.close()

    assert answer.status_code == 200
    assert embed_counts(app) == {}


@pytest.mark.parametrize(
    "referer",
    [
        "ftp://files.example.nl/",
        "file:///home/anna/page.html",
        "chrome-extension://abcdefgh/page.html",
        "https://under_score.example.nl/",
        "https://user:secret@www.example.nl/",
        "https://www.example.nl:99999/",
        "not a url at all",
    ],
)
def test_what_is_not_an_http_origin_of_at_most_200_characters_is_not_counted(app, client, referer):
    answer = show_framed(client, "demo-ebook", referer)

    assert answer.status_code == 200  # the visitor still gets the form
    assert embed_counts(app) == {}


def origin_of_length(length: int) -> str:
    """An https origin with a port, of `length` characters (labels of at most 63)."""
    host = ".".join(["a" * 63, "b" * 63, "c" * (length - 145)]) + ".nl"
    origin = f"https://{host}:44300"
    assert len(origin) == length
    return origin


@pytest.mark.parametrize(("length", "counted"), [(200, 1), (201, 0)])
def test_an_origin_of_at_most_200_characters_is_counted(app, client, length, counted):
    origin = origin_of_length(length)

    show_framed(client, "demo-ebook", f"{origin}/page")

    assert embed_counts(app).get(("demo-ebook", origin, True), 0) == counted
    assert len(embed_counts(app)) == counted


def test_showings_are_gathered_in_memory_and_written_together(make_demo_app):
    app = make_demo_app(LEADS_VIEW_COUNT_SECONDS=3600)
    client = app.test_client()
    for _ in range(3):
        show_framed(client, "demo-ebook", f"{SHOP}/")
    show_framed(client, "demo-contact", "https://other.example.nl/")

    assert embed_counts(app) == {}  # nothing written yet: the hour has not passed
    embed_tally(app).flush()
    assert embed_counts(app) == {
        ("demo-ebook", SHOP, True): 3,
        ("demo-contact", "https://other.example.nl", True): 1,
    }
    view_tally(app).flush()  # the views gathered beside them, before the tables are emptied


def test_a_form_takes_at_most_its_limit_of_origins_a_day_and_known_ones_keep_counting(
    make_demo_app,
):
    app = make_demo_app(LEADS_VIEW_COUNT_SECONDS=3600)
    gate = form_id(app, "demo-ebook")
    today = datetime.now(UTC).date()
    tally = embed_tally(app)
    for number in range(MOST_ORIGINS_A_DAY):
        tally.add((gate, today, f"https://site-{number:03}.example.nl", True))
    tally.flush()
    tally.add((gate, today, "https://one-too-many.example.nl", True))
    tally.add((gate, today, "https://site-000.example.nl", True))  # known: still counts
    tally.add((gate, today, "https://site-001.example.nl", False))  # a known origin, refused
    tally.add((gate, today - timedelta(days=1), "https://yesterday.example.nl", True))
    tally.flush()

    counted = embed_counts(app)
    assert len({origin for _, origin, _ in counted}) == MOST_ORIGINS_A_DAY + 1
    assert ("demo-ebook", "https://one-too-many.example.nl", True) not in counted
    assert counted[("demo-ebook", "https://site-000.example.nl", True)] == 2
    assert counted[("demo-ebook", "https://site-001.example.nl", False)] == 1
    assert counted[("demo-ebook", "https://yesterday.example.nl", True)] == 1


def test_a_worker_holds_at_most_its_limit_of_keys_and_warns_once_until_it_writes(
    make_demo_app, caplog
):
    app = make_demo_app(LEADS_VIEW_COUNT_SECONDS=3600)
    gate, today = form_id(app, "demo-ebook"), datetime.now(UTC).date()
    tally = Tally(app, replace(EMBEDS, most_waiting=2), seconds=3600)
    caplog.set_level(logging.WARNING)
    for name in ("one", "two", "three", "four", "one"):
        tally.add((gate, today, f"https://{name}.example.nl", True))
    tally.flush()
    tally.add((gate, today, "https://five.example.nl", True))  # room again after the write
    tally.flush()

    assert embed_counts(app) == {
        ("demo-ebook", "https://one.example.nl", True): 2,
        ("demo-ebook", "https://two.example.nl", True): 1,
        ("demo-ebook", "https://five.example.nl", True): 1,
    }
    warnings = [r for r in caplog.records if "embedded form showings" in r.getMessage()]
    assert len(warnings) == 1


def test_a_showing_the_database_cannot_count_still_shows_the_form(app, client):
    with table_away(app, "embed_counts"):
        shown = show_framed(client, "demo-ebook", f"{SHOP}/")
        assert shown.status_code == 200
        assert 'name="email"' in shown.get_data(as_text=True)

    assert embed_counts(app) == {}
    assert views(app, "demo-ebook") == 1
