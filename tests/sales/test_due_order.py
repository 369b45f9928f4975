"""Who follows up by when, on the sales list: each opportunity whose response
clock runs says "respond by 14:30 (in 45 min)" or "overdue 2 h", and the
opportunities come overdue first, then soonest due, then as before (warmth,
score, newest interest); `?due=overdue` shows only the overdue ones."""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Lead, utcnow
from capture.sales.listing import DUE, Cursor

from ..support.factories import make_lead
from ..support.people import add_person

EVERYONE = "/sales/?owner=all"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def names_on(response) -> list[str]:
    return [link.get_text(strip=True) for link in soup_of(response).select("td.who a")]


def badges_on(response) -> dict[str, str]:
    """Each row's name → its response-clock badge ("" when none)."""
    rows = {}
    for row in soup_of(response).select("table.leads tbody tr:not(.more)"):
        badge = row.select_one(".due")
        rows[row.select_one("td.who a").get_text(strip=True)] = (
            badge.get_text(" ", strip=True) if badge else ""
        )
    return rows


def add(app, *specs) -> None:
    """Leads by spec; `due_in` (a timedelta from now, negative: overdue) sets `respond_by`."""
    now = utcnow()
    with app.app_context():
        for spec in specs:
            spec = dict(spec)
            due_in = spec.pop("due_in", None)
            make_lead(respond_by=None if due_in is None else now + due_in, **spec)
        db.session.commit()


def test_overdue_first_then_soonest_due_then_by_warmth_and_score(app, client, auth):
    add(
        app,
        {"name": "hot-best", "days_ago": 0.1, "score": 200},
        {"name": "due-in-3h", "days_ago": 0.2, "score": 10, "due_in": timedelta(hours=3)},
        {"name": "cold-low", "days_ago": 40, "score": 5},
        {"name": "overdue-1h", "days_ago": 1, "score": 20, "due_in": -timedelta(hours=1)},
        {"name": "due-in-20m", "days_ago": 0.3, "score": 90, "due_in": timedelta(minutes=20)},
        {"name": "overdue-2d", "days_ago": 40, "score": 0, "due_in": -timedelta(days=2)},
        {"name": "warm-mid", "days_ago": 5, "score": 100},
    )
    auth.login()

    assert names_on(client.get(EVERYONE)) == [
        "overdue-2d",
        "overdue-1h",
        "due-in-20m",
        "due-in-3h",
        "hot-best",
        "warm-mid",
        "cold-low",
    ]


def test_each_row_says_by_when_or_how_late(app, client, auth):
    add(
        app,
        {"name": "late", "due_in": -timedelta(hours=2, minutes=5)},
        {"name": "soon", "due_in": timedelta(minutes=45, seconds=30)},
        {"name": "no clock"},
    )
    auth.login()

    response = client.get(EVERYONE)
    badges = badges_on(response)
    with app.app_context():
        soon_at = db.session.scalar(db.select(Lead.respond_by).where(Lead.name == "soon"))
    soon_at = soon_at.astimezone(AMSTERDAM)

    assert badges["late"] == "overdue 2 h 5 min"
    assert badges["soon"] == f"respond by {soon_at:%H:%M} (in 45 min)" or (
        soon_at.date() != utcnow().astimezone(AMSTERDAM).date()  # just before midnight: the day
        and badges["soon"].endswith("(in 45 min)")
    )
    assert badges["no clock"] == ""
    late = soup_of(response).select_one(".due--overdue")
    assert late.get_text(strip=True).startswith("overdue") and late["title"].startswith(
        "Respond by"
    )


@pytest.mark.parametrize(
    ("due_in", "words"),
    [
        (timedelta(minutes=-30, seconds=-10), "overdue 30 min"),
        (timedelta(seconds=-20), "overdue 1 min"),
        (timedelta(hours=-26), "overdue 26 h"),
        (timedelta(days=-3, hours=-1), "overdue 3 days"),
        (timedelta(hours=1, minutes=30, seconds=30), "(in 1 h 30 min)"),
        (timedelta(hours=12, seconds=30), "(in 12 h)"),
        (timedelta(days=9, seconds=30), "(in 9 days)"),
    ],
)
def test_the_badge_words_the_time_left_or_late(app, client, auth, due_in, words):
    add(app, {"name": "the lead", "due_in": due_in})
    auth.login()

    assert badges_on(client.get(EVERYONE))["the lead"].endswith(words)


def test_the_badge_is_in_dutch_for_a_dutch_reader(app, client, auth):
    add(
        app,
        {"name": "laat", "due_in": -timedelta(hours=3)},
        {"name": "straks", "due_in": timedelta(days=9, seconds=30)},
    )
    auth.login()

    badges = badges_on(client.get(EVERYONE, headers={"Accept-Language": "nl"}))

    assert badges["laat"] == "3 u te laat"
    assert badges["straks"].startswith("reageren vóór ") and badges["straks"].endswith(
        "(over 9 dagen)"
    )


def test_overdue_only_shows_the_opportunities_past_their_deadline(app, client, auth):
    add(
        app,
        {"name": "late", "due_in": -timedelta(minutes=5)},
        {"name": "later", "due_in": -timedelta(minutes=1)},
        {"name": "not yet", "due_in": timedelta(minutes=5)},
        {"name": "no clock"},
        {"name": "late nurture", "list": "nurture", "due_in": -timedelta(hours=1)},
    )
    auth.login()

    response = client.get(f"{EVERYONE}&due=overdue")

    assert names_on(response) == ["late", "later"]
    tabs = {
        tab["href"]: tab.select_one(".count").get_text() for tab in soup_of(response).select(".tab")
    }
    assert sorted(tabs.values()) == ["0", "1", "2"]  # the tabs count what they show
    assert soup_of(response).select_one("input[name=due]").has_attr("checked")
    assert all("due=overdue" in href for href in tabs)  # the filter stays in the tabs
    assert names_on(client.get(f"{EVERYONE}&due=overdue&list=nurture")) == ["late nurture"]


def test_an_unknown_due_value_is_ignored(app, client, auth):
    add(app, {"name": "late", "due_in": -timedelta(minutes=5)}, {"name": "no clock"})
    auth.login()

    assert names_on(client.get(f"{EVERYONE}&due=soon")) == ["late", "no clock"]


def test_my_leads_come_due_first_too(app, client, auth, users):
    bas = add_person(app, "bas@leadgate.test", name="Bas Bakker")
    me = users["sales"][0]
    add(
        app,
        {"name": "mine-best", "score": 200, "owner_id": me},
        {"name": "mine-due", "score": 1, "owner_id": me, "due_in": timedelta(hours=2)},
        {"name": "mine-late", "score": 1, "owner_id": me, "due_in": -timedelta(hours=2)},
        {"name": "bas-late", "owner_id": bas, "due_in": -timedelta(hours=3)},
        {"name": "nobodys-late", "due_in": -timedelta(hours=4)},
    )
    auth.login("sales")

    assert names_on(client.get("/sales/")) == ["mine-late", "mine-due", "mine-best"]
    assert names_on(client.get("/sales/?owner=none")) == ["nobodys-late"]
    assert names_on(client.get("/sales/?due=overdue")) == ["mine-late"]


def test_pages_run_from_the_due_ones_into_the_bands_without_gaps_or_repeats(app, client, auth):
    specs = [
        {
            "name": f"lead-{n:03}",
            "days_ago": (n % 40) + 0.1,
            "score": n % 7,
            # Every third waits for its answer, the deadlines spread around now.
            "due_in": timedelta(minutes=(n * 37) % 600 - 300) if n % 3 == 0 else None,
        }
        for n in range(130)
    ]
    add(app, *specs)
    auth.login()

    seen, url = [], EVERYONE
    while url:
        page = client.get(url)
        seen += names_on(page)
        more = soup_of(page).select_one("tr.more a")
        url = more["href"] if more else None

    assert len(seen) == 130 == len(set(seen))
    with app.app_context():
        due = db.session.scalars(
            db.select(Lead.name)
            .where(Lead.respond_by.is_not(None))
            .order_by(Lead.respond_by, Lead.id)
        ).all()
    assert len(due) == 44 and seen[:44] == due


def test_a_cursor_in_the_due_part_continues_after_its_lead(app, client, auth):
    add(app, *[{"name": f"due-{n}", "due_in": timedelta(minutes=n + 1)} for n in range(3)])
    auth.login()
    with app.app_context():
        first = db.session.scalars(db.select(Lead).order_by(Lead.respond_by)).first()
        cursor = Cursor(DUE, 0, first.respond_by, first.id, utcnow()).encode()

    assert names_on(client.get(f"{EVERYONE}&after={cursor}")) == ["due-1", "due-2"]


def test_the_lead_page_says_by_when_and_what_mark_contacted_does(app, client, auth):
    add(app, {"name": "waiting", "due_in": timedelta(hours=1, minutes=10)})
    auth.login()
    with app.app_context():
        lead_id = db.session.scalar(db.select(Lead.id))

    page = soup_of(client.get(f"/sales/leads/{lead_id}"))

    assert "(in 1 h 9 min)" in page.select_one(".respond-by").get_text(" ", strip=True)
    hint = page.select_one("form.action .hint").get_text(strip=True)
    assert hint == "Records now as the first response and stops the response clock."


def test_the_live_banner_of_overdue_only_counts_the_leads_that_ran_out_since(app, client, auth):
    add(app, {"name": "late before", "due_in": -timedelta(hours=1)})
    auth.login()
    poll = soup_of(client.get(f"{EVERYONE}&due=overdue")).select_one("#fresh")["hx-get"]
    assert "due=overdue" in poll
    assert soup_of(client.get(poll)).select_one("#fresh a") is None

    # Came in earlier; its time ran out just after the list was loaded.
    loaded_at = datetime.fromisoformat(parse_qs(urlsplit(poll).query)["loaded_at"][0])
    with app.app_context():
        make_lead(name="late now", days_ago=1, respond_by=loaded_at + timedelta(milliseconds=1))
        db.session.commit()
    add(app, {"name": "not yet", "due_in": timedelta(minutes=5)})

    banner = soup_of(client.get(poll)).select_one("#fresh a")
    assert banner.get_text(strip=True) == "1 more lead is overdue — show the list again"
