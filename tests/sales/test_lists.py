"""The incoming-leads lists: order, tabs, filters, pages, the live banner."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Form, utcnow
from capture.sales.listing import Cursor

from ..support.factories import make_lead

# These leads have no owner, and the sales user's opportunities open on My
# leads: a test about the list of everyone's leads asks for it.
EVERYONE = "/sales/?owner=all"


def names_on(response) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [link.get_text(strip=True) for link in soup.select("td.who a")]


def add(app, *specs):
    with app.app_context():
        for spec in specs:
            make_lead(**spec)
        db.session.commit()


def test_who_to_call_first_is_on_top_warmth_then_score_then_newest(app, client, auth):
    add(
        app,
        {"name": "cold-top-score", "days_ago": 40, "score": 200},
        {"name": "warm-low", "days_ago": 5, "score": 60},
        {"name": "hot-low", "days_ago": 0.5, "score": 60},
        {"name": "warm-high", "days_ago": 10, "score": 160},
        {"name": "hot-high-older", "days_ago": 1.5, "score": 140},
        {"name": "hot-high-newer", "days_ago": 0.1, "score": 140},
    )
    auth.login()

    assert names_on(client.get(EVERYONE)) == [
        "hot-high-newer",
        "hot-high-older",
        "hot-low",
        "warm-high",
        "warm-low",
        "cold-top-score",
    ]


def test_opportunities_are_the_default_tab_and_each_tab_has_its_count(app, client, auth):
    add(
        app,
        {"name": "o1"},
        {"name": "o2"},
        {"name": "n1", "list": "nurture"},
        {"name": "d1", "list": "disqualified"},
    )
    auth.login()

    page = client.get(EVERYONE)
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    tabs = {a.get_text(" ", strip=True) for a in soup.select(".tabs a.tab")}

    assert sorted(names_on(page)) == ["o1", "o2"]
    assert tabs == {"Opportunity 2", "Nurture 1", "Disqualified 1"}
    assert names_on(client.get(f"{EVERYONE}&list=nurture")) == ["n1"]
    assert set(names_on(client.get(f"{EVERYONE}&list=bogus"))) == {"o1", "o2"}


def test_a_row_shows_what_sales_need_to_decide(app, client, auth):
    add(
        app,
        {
            "name": "Anna",
            "company": "Bakkerij Jansen",
            "sector": "retail",
            "headcount": "50-99",
            "channel": "social",
            "utm_source": "linkedin",
            "utm_campaign": "autumn",
            "days_ago": 5,
            "score": 140,
            "fit_score": 80,
            "engagement_score": 60,
            "score_reasons": ["50-99 employees: +60"],
        },
    )
    auth.login()

    row = BeautifulSoup(client.get(EVERYONE).get_data(as_text=True), "html.parser").select_one(
        "tbody tr"
    )
    text = row.get_text(" ", strip=True)

    for part in ("Anna", "Bakkerij Jansen", "retail", "50-99", "social", "linkedin · autumn"):
        assert part in text
    assert "fit 80 + engagement 60" in text and "50-99 employees: +60" in text
    assert row.select_one(".badge--warm").get_text(strip=True) == "warm · 5 days"
    assert "waiting 5 days" in text


def test_a_contacted_opportunity_no_longer_shows_as_waiting(app, client, auth):
    add(app, {"name": "Called", "first_response_at": utcnow() - timedelta(hours=1)})
    auth.login()

    text = client.get(EVERYONE).get_data(as_text=True)

    assert "contacted" in text and "waiting" not in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("channel=social", {"social-lead"}),
        ("warmth=hot", {"hot-lead", "social-lead"}),
        ("warmth=cold", {"cold-lead"}),
        ("q=jansen", {"Jansen BV"}),
        ("q=ANNA%40", {"Jansen BV"}),
        ("q=100%25", set()),
        ("form=demo-ebook", {"ebook-lead"}),
    ],
)
def test_filters_narrow_the_list(app, client, auth, query, expected):
    with app.app_context():
        ebook = db.session.scalar(db.select(Form.id).where(Form.slug == "demo-ebook"))
    add(
        app,
        {"name": "hot-lead", "days_ago": 0.2},
        {"name": "social-lead", "days_ago": 1, "channel": "social"},
        {"name": "cold-lead", "days_ago": 60},
        {"name": "Jansen BV", "email": "anna@jansen.nl", "days_ago": 10},
        {"name": "ebook-lead", "days_ago": 12, "form_id": ebook},
    )
    auth.login()

    assert set(names_on(client.get(f"{EVERYONE}&{query}"))) == expected


def test_the_date_range_counts_whole_days_in_the_business_time_zone(app, client, auth):
    amsterdam = ZoneInfo("Europe/Amsterdam")
    yesterday = utcnow().astimezone(amsterdam).date() - timedelta(days=1)
    # 00:30 in Amsterdam is still the day before in UTC: only a filter that
    # counts days in the business's time zone puts this lead on `yesterday`.
    just_after_midnight = datetime.combine(yesterday, time(0, 30), tzinfo=amsterdam)
    add(
        app, {"name": "early", "days_ago": (utcnow() - just_after_midnight).total_seconds() / 86400}
    )
    auth.login()

    on_the_day = f"{EVERYONE}&since={yesterday}&until={yesterday}"
    day_before = yesterday - timedelta(days=1)

    assert names_on(client.get(on_the_day)) == ["early"]
    assert names_on(client.get(f"{EVERYONE}&since={day_before}&until={day_before}")) == []


@pytest.mark.parametrize(
    "query",
    ["since=not-a-date", "since=0001-01-01", "until=9999-12-31", "q=%00abc%00", "form=%00"],
)
def test_odd_filter_values_are_ignored_not_errors(app, client, auth, query):
    add(app, {"name": "still-here"})
    auth.login()

    answer = client.get(f"/sales/?{query}")

    assert answer.status_code == 200
    assert client.get(f"/sales/export.csv?{query}").status_code == 200


def test_a_search_shorter_than_three_characters_asks_for_more(app, client, auth):
    add(app, {"name": "Li Wei"}, {"name": "Other"})
    auth.login()

    page = client.get(f"{EVERYONE}&q=Li")

    assert set(names_on(page)) == {"Li Wei", "Other"}
    assert "Type at least 3 characters" in page.get_data(as_text=True)


def test_search_finds_names_with_special_letters(app, client, auth):
    add(app, {"name": "Bäckerei Straße"}, {"name": "Other"})
    auth.login()

    assert names_on(client.get(f"{EVERYONE}&q=straße")) == ["Bäckerei Straße"]
    assert names_on(client.get(f"{EVERYONE}&q=B%C3%84CK")) == ["Bäckerei Straße"]


def test_pages_follow_each_other_without_gaps_or_repeats(app, client, auth):
    specs = [
        {"name": f"lead-{n:03}", "days_ago": (n % 40) + 0.1, "score": n % 7} for n in range(130)
    ]
    add(app, *specs)
    auth.login()

    seen, url = [], EVERYONE
    while url:
        page = client.get(url)
        seen += names_on(page)
        more = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one("tr.more a")
        url = more["href"] if more else None

    assert len(seen) == 130 == len(set(seen))
    assert seen == names_on_in_order(app)


def names_on_in_order(app):
    from capture.domain.warmth import warmth_of
    from capture.models import Lead

    now = utcnow()
    with app.app_context():
        leads = db.session.scalars(db.select(Lead)).all()
        band = {"hot": 0, "warm": 1, "cold": 2}
        leads.sort(
            key=lambda lead: (
                band[warmth_of(lead.last_interest_at, now)],
                -lead.score,
                -lead.last_interest_at.timestamp(),
                -lead.id,
            )
        )
        return [lead.name for lead in leads]


def test_the_next_page_comes_as_rows_for_htmx(app, client, auth):
    add(app, *[{"name": f"lead-{n}", "days_ago": n} for n in range(55)])
    auth.login()
    first = BeautifulSoup(client.get(EVERYONE).get_data(as_text=True), "html.parser")

    more = client.get(first.select_one("tr.more a")["hx-get"], headers={"HX-Request": "true"})

    html = more.get_data(as_text=True)
    assert "<html" not in html and "<table" not in html
    assert len(BeautifulSoup(html, "html.parser").select("tr")) == 5


def test_a_filter_change_over_htmx_gets_the_results_only(app, client, auth):
    add(app, {"name": "x"})
    auth.login()

    results = client.get("/sales/?q=x", headers={"HX-Request": "true"})

    html = results.get_data(as_text=True)
    assert (
        "<html" not in html and 'class="tabs"' in html and "HX-Request" in results.headers["Vary"]
    )


def test_the_back_button_gets_the_whole_page(app, client, auth):
    auth.login()

    restored = client.get(
        "/sales/?q=x", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert "<html" in restored.get_data(as_text=True)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        Cursor(0, 10**30, utcnow(), 1, utcnow()).encode(),
        Cursor(0, 1, utcnow(), 10**30, utcnow()).encode(),
        Cursor(0, 1, utcnow(), 1, datetime(1, 1, 2, tzinfo=UTC)).encode(),
        Cursor(7, 1, utcnow(), 1, utcnow()).encode(),
    ],
)
def test_a_tampered_page_cursor_starts_from_the_top(app, client, auth, cursor):
    add(app, {"name": "only"})
    auth.login()

    assert names_on(client.get(f"{EVERYONE}&after={cursor}")) == ["only"]


def test_the_open_list_hears_of_new_leads_without_reloading(app, client, auth):
    auth.login()
    page = BeautifulSoup(client.get(EVERYONE).get_data(as_text=True), "html.parser")
    poll = page.select_one("#fresh")["hx-get"]
    assert page.select_one("#fresh")["hx-trigger"] == "every 30s"

    assert client.get(poll).get_data(as_text=True).count("new lead") == 0
    add(app, {"name": "new one"}, {"name": "new nurture", "list": "nurture"})
    banner = BeautifulSoup(client.get(poll).get_data(as_text=True), "html.parser")

    assert banner.select_one("#fresh a").get_text(strip=True).startswith("1 new lead came in")
    assert banner.select_one("#fresh")["hx-get"] == poll  # keeps polling from the same moment


def test_a_list_of_cold_leads_does_not_announce_new_hot_ones(app, client, auth):
    auth.login()
    page = BeautifulSoup(
        client.get(f"{EVERYONE}&warmth=cold").get_data(as_text=True), "html.parser"
    )
    add(app, {"name": "brand new"})

    assert "new lead" not in client.get(page.select_one("#fresh")["hx-get"]).get_data(as_text=True)


def test_hostile_names_are_shown_escaped_in_the_list(app, client, auth):
    add(
        app,
        {
            "name": "<script>alert(1)</script>",
            "company": '"><img src=x onerror=alert(1)>',
            "utm_campaign": "<b>bold</b>",
        },
    )
    auth.login()

    html = client.get(EVERYONE).get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "<b>bold</b>" not in html
