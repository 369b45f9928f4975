"""The sales list's owner filter (`?owner=me|none|all|<user id>`): a person
who takes leads opens their opportunities on My leads, everyone else and
every other list on everyone's; a choice made stays in every link the list
makes; the counts, the live banner and the export follow it."""

import csv
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, insert, text

from capture.domain.rules import QualificationRules
from capture.extensions import db
from capture.models import Lead, utcnow
from capture.sales.listing import LeadFilters, Viewer, lead_page

from ..support.auth import log_in
from ..support.factories import make_lead
from ..support.people import add_person


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def names_on(response) -> set[str]:
    return {link.get_text(strip=True) for link in soup_of(response).select("td.who a")}


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.fixture
def team(app, users):
    """The sales user (who logs in), Bas (who takes leads too), and leads of
    each list owned by each of them or by nobody: "<list>-<owner>" by name."""
    bas = add_person(app, "bas@leadgate.test", name="Bas Bakker")
    owners = {"mine": users["sales"][0], "bas": bas, "nobody": None}
    with app.app_context():
        for list_name in ("opportunity", "nurture", "disqualified"):
            for who, owner_id in owners.items():
                make_lead(name=f"{list_name}-{who}", list=list_name, owner_id=owner_id)
        db.session.commit()
    return owners


def test_a_sales_persons_opportunities_open_on_my_leads(client, auth, team):
    auth.login("sales")

    page = client.get("/sales/")
    soup = soup_of(page)

    assert names_on(page) == {"opportunity-mine"}
    assert soup.select_one(".owner-scope h2").get_text(strip=True) == "My leads"
    assert soup.select_one("#owner option[selected]").get_text(strip=True) == "My leads"


@pytest.mark.parametrize("list_name", ["nurture", "disqualified"])
def test_the_other_lists_open_on_everyones_leads(client, auth, team, list_name):
    auth.login("sales")

    page = client.get(f"/sales/?list={list_name}")

    assert names_on(page) == {f"{list_name}-mine", f"{list_name}-bas", f"{list_name}-nobody"}
    assert soup_of(page).select_one(".owner-scope") is None
    assert soup_of(page).select_one("#owner option[selected]").get_text(strip=True) == "Everyone"


def test_an_admin_who_takes_no_leads_opens_on_everyones_opportunities(client, auth, team):
    auth.login("admin")  # a sales user exists, and the admin is not switched on

    assert names_on(client.get("/sales/")) == {
        "opportunity-mine",
        "opportunity-bas",
        "opportunity-nobody",
    }


def test_an_admin_switched_on_to_take_leads_opens_on_my_leads(app, client, users, team):
    admin = add_person(app, "anna@leadgate.test", role="admin", takes_leads=True)
    with app.app_context():
        make_lead(name="opportunity-anna", owner_id=admin)
        db.session.commit()
    log_in(client, "anna@leadgate.test")

    assert names_on(client.get("/sales/")) == {"opportunity-anna"}


def test_the_admin_of_a_one_person_firm_opens_on_my_leads(app, client):
    admin = add_person(app, "solo@leadgate.test", role="admin")  # no sales user: takes leads
    with app.app_context():
        make_lead(name="mine", owner_id=admin)
        make_lead(name="nobody's")
        db.session.commit()
    log_in(client, "solo@leadgate.test")

    assert names_on(client.get("/sales/")) == {"mine"}


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("me", {"opportunity-mine"}),
        ("none", {"opportunity-nobody"}),
        ("all", {"opportunity-mine", "opportunity-bas", "opportunity-nobody"}),
        ("bas", {"opportunity-bas"}),
    ],
)
def test_the_owner_filter_shows_mine_nobodys_everyones_or_one_persons(
    client, auth, team, owner, expected
):
    auth.login("sales")
    value = team["bas"] if owner == "bas" else owner

    assert names_on(client.get(f"/sales/?owner={value}")) == expected


def test_the_owner_filter_applies_to_the_other_lists_too(client, auth, team):
    auth.login("sales")

    assert names_on(client.get("/sales/?list=nurture&owner=none")) == {"nurture-nobody"}
    assert names_on(client.get(f"/sales/?list=nurture&owner={team['bas']}")) == {"nurture-bas"}


@pytest.mark.parametrize(
    "value",
    ["abc", "-1", "0", "2147483648", "99999999999999999999999", "١", "1.0", " 1", "", "ME"],
)
def test_an_invalid_owner_falls_back_to_the_default(client, auth, team, value):
    auth.login("sales")

    assert names_on(client.get("/sales/", query_string={"owner": value})) == {"opportunity-mine"}
    assert client.get("/sales/fresh", query_string={"owner": value}).status_code == 200
    assert client.get("/sales/export.csv", query_string={"owner": value}).status_code == 200


def test_an_owner_id_of_nobody_we_know_falls_back_to_the_default(client, auth, team):
    auth.login("sales")

    assert names_on(client.get("/sales/?owner=424242")) == {"opportunity-mine"}


def test_a_row_names_its_owner_and_an_opportunity_without_one_says_unassigned(client, auth, team):
    auth.login("sales")

    rows = {
        row.select_one("td.who a").get_text(strip=True): row.select_one("td.who .owner")
        for row in soup_of(client.get("/sales/?owner=all")).select("tbody tr")
    }

    assert rows["opportunity-bas"].get_text(strip=True) == "Owner: Bas Bakker"
    assert rows["opportunity-mine"].get_text(strip=True) == "Owner: sales@leadgate.test"
    assert rows["opportunity-nobody"].get_text(strip=True) == "unassigned"


def test_the_owner_select_offers_the_people_who_take_or_own_leads_by_name(app, client, auth, team):
    gone = add_person(app, "gone@leadgate.test", name="Gert Gone", active=False)
    add_person(app, "idle@leadgate.test", name="Ida Idle", active=False)
    with app.app_context():
        make_lead(name="opportunity-gone", owner_id=gone)
        db.session.commit()
    auth.login("sales")

    options = soup_of(client.get("/sales/")).select("#owner option")

    assert [option.get_text(strip=True) for option in options] == [
        "My leads",
        "Unassigned",
        "Everyone",
        "Bas Bakker",
        "Gert Gone",
        "sales@leadgate.test",
    ]
    assert options[3]["value"] == str(team["bas"])


def test_one_persons_list_says_whose_it_is(client, auth, team):
    auth.login("sales")

    soup = soup_of(client.get(f"/sales/?owner={team['bas']}"))

    assert soup.select_one(".owner-scope h2").get_text(strip=True) == "Leads of Bas Bakker"
    assert query_of(soup.select_one(".owner-scope a")["href"])["owner"] == ["all"]


def test_an_empty_my_leads_says_so_and_offers_everyones_and_the_unassigned(client, auth, users):
    with client.application.app_context():
        make_lead(name="someone else's")
        db.session.commit()
    auth.login("sales")

    empty = soup_of(client.get("/sales/")).select_one(".empty")
    links = [query_of(link["href"]).get("owner") for link in empty.select("a")]

    assert empty.get_text(" ", strip=True).startswith("You have no leads here.")
    assert links == [["all"], ["none"]]
    assert names_on(client.get(empty.select("a")[0]["href"])) == {"someone else's"}


def test_a_chosen_owner_stays_in_the_tabs_the_banner_and_the_export(client, auth, team):
    auth.login("sales")

    soup = soup_of(client.get("/sales/?owner=all&warmth=hot"))
    links = [tab["href"] for tab in soup.select(".tabs a.tab")]
    links += [soup.select_one("#fresh")["hx-get"], soup.select_one(".tabs-export")["href"]]

    assert len(links) == 5
    for link in links:
        assert query_of(link)["owner"] == ["all"], link
    everyone = {"opportunity-mine", "opportunity-bas", "opportunity-nobody"}
    assert names_on(client.get(links[0])) == everyone


def test_my_leads_tabs_open_each_list_on_its_own_default(client, auth, team):
    auth.login("sales")

    soup = soup_of(client.get("/sales/"))
    tabs = {tab.get_text(" ", strip=True): tab["href"] for tab in soup.select(".tabs a.tab")}

    # Each count is what its tab opens on: my opportunities, everyone's nurture.
    assert set(tabs) == {"Opportunity 1", "Nurture 3", "Disqualified 3"}
    assert all("owner" not in query_of(href) for href in tabs.values())
    assert names_on(client.get(tabs["Nurture 3"])) == {
        "nurture-mine",
        "nurture-bas",
        "nurture-nobody",
    }


def test_the_tab_counts_follow_a_chosen_owner(client, auth, team):
    auth.login("sales")

    soup = soup_of(client.get(f"/sales/?owner={team['bas']}"))
    counts = {tab.get_text(" ", strip=True) for tab in soup.select(".tabs a.tab")}

    assert counts == {"Opportunity 1", "Nurture 1", "Disqualified 1"}


def test_my_leads_exports_my_leads_and_says_so_in_its_link(client, auth, team):
    auth.login("sales")

    link = soup_of(client.get("/sales/")).select_one(".tabs-export")["href"]
    exported = client.get(link).get_data(as_text=True).lstrip("\ufeff")

    assert query_of(link)["owner"] == ["me"]
    assert [row["name"] for row in csv.DictReader(io.StringIO(exported))] == ["opportunity-mine"]


def test_an_export_address_without_an_owner_means_everyones_leads(client, auth, team):
    auth.login("sales")

    exported = client.get("/sales/export.csv?list=opportunity").get_data(as_text=True)
    rows = csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))

    assert {row["name"] for row in rows} == {
        "opportunity-mine",
        "opportunity-bas",
        "opportunity-nobody",
    }


def test_a_filter_change_over_htmx_pushes_an_address_that_keeps_owner_all(client, auth, team):
    auth.login("sales")

    answer = client.get(
        "/sales/?list=opportunity&owner=all&warmth=hot", headers={"HX-Request": "true"}
    )

    assert query_of(answer.headers["HX-Push-Url"]) == {
        "list": ["opportunity"],
        "owner": ["all"],
        "warmth": ["hot"],
    }
    assert len(names_on(answer)) == 3


def test_the_forms_default_owner_is_not_pinned_so_other_lists_keep_their_default(
    client, auth, team
):
    """The select sends "" for the list's default: touching another filter on
    My leads must not carry owner=me to the nurture tab."""
    auth.login("sales")
    select = soup_of(client.get("/sales/")).select_one("#owner")
    values = {option.get_text(strip=True): option["value"] for option in select.select("option")}
    assert values["My leads"] == "" and values["Everyone"] == "all"

    answer = client.get(
        "/sales/?list=opportunity&owner=&warmth=hot", headers={"HX-Request": "true"}
    )

    assert "owner" not in query_of(answer.headers["HX-Push-Url"])
    assert names_on(answer) == {"opportunity-mine"}
    nurture = soup_of(answer).select(".tabs a.tab")[1]["href"]
    assert names_on(client.get(nurture)) == {"nurture-mine", "nurture-bas", "nurture-nobody"}


@pytest.mark.parametrize(("owner", "count"), [("", 60), ("all", 120)])
def test_the_next_page_keeps_the_owner_filter(app, client, auth, users, owner, count):
    bas = add_person(app, "bas@leadgate.test")
    with app.app_context():
        for number in range(60):
            make_lead(name=f"mine-{number}", owner_id=users["sales"][0], days_ago=number / 10)
            make_lead(name=f"bas-{number}", owner_id=bas, days_ago=number / 10)
        db.session.commit()
    auth.login("sales")

    seen, url, cursors = [], f"/sales/?owner={owner}", []
    while url:
        soup = soup_of(client.get(url, headers={"HX-Request": "true"} if cursors else {}))
        seen += [link.get_text(strip=True) for link in soup.select("td.who a")]
        more = soup.select_one("tr.more a")
        url = more["hx-get"] if more else None
        cursors += [url] if url else []

    assert len(seen) == count == len(set(seen))
    assert all(name.startswith("mine-") for name in seen) == (owner == "")
    assert cursors and all(
        query_of(url).get("owner") == ([owner] if owner else None) for url in cursors
    )


def test_the_live_banner_counts_new_leads_under_the_same_owner_filter(app, client, auth, team):
    auth.login("sales")
    my_poll = soup_of(client.get("/sales/")).select_one("#fresh")["hx-get"]
    all_poll = soup_of(client.get("/sales/?owner=all")).select_one("#fresh")["hx-get"]
    with app.app_context():
        make_lead(name="new for bas", owner_id=team["bas"])
        make_lead(name="new unassigned")
        db.session.commit()

    assert "new lead" not in client.get(my_poll).get_data(as_text=True)
    everyone = soup_of(client.get(all_poll)).select_one("#fresh a")
    assert everyone.get_text(strip=True).startswith("2 new leads came in")
    assert query_of(everyone["href"])["owner"] == ["all"]

    with app.app_context():
        make_lead(name="new for me", owner_id=team["mine"])
        db.session.commit()
    mine = soup_of(client.get(my_poll)).select_one("#fresh a")
    assert mine.get_text(strip=True).startswith("1 new lead came in")


def test_the_insights_links_to_the_sales_list_show_everyones_leads(app, client, auth, team):
    auth.login("sales")

    # The report's own links (not the menu's "Leads", which opens the default).
    report = soup_of(client.get("/sales/insights/")).select_one("#insights")
    to_list = [a["href"] for a in report.select("a[href]") if urlsplit(a["href"]).path == "/sales/"]

    assert to_list  # the open pipeline's nurture figures link to the list
    for href in to_list:
        assert query_of(href)["owner"] == ["all"], href


def plan_of(statement: str, parameters) -> str:
    """The database's plan for a statement the app sent, in one line."""
    connection = db.session.connection().connection.driver_connection
    if db.engine.dialect.name == "sqlite":
        rows = connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
        return " ".join(row[-1] for row in rows)
    cursor = connection.cursor()
    cursor.execute(f"EXPLAIN {statement}", parameters)
    return " ".join(row[0].strip() for row in cursor.fetchall())


def test_one_persons_leads_of_a_band_are_read_from_the_owner_index(app, users):
    """ix_leads_list_owner_score: one person's leads in its order, a band
    checked on each, not the band of everyone's leads sorted afterwards. With
    statistics like a real install's (most leads nobody's nurture), SQLite
    chose the latter until told not to search by the band (lead_page)."""
    team = [users["sales"][0], add_person(app, "bas@leadgate.test"), add_person(app, "c@x.nl")]
    with app.app_context():
        now = utcnow()
        db.session.execute(
            insert(Lead),
            [
                {
                    "email_key": f"p{number}@example.nl",
                    "email": f"p{number}@example.nl",
                    "name": f"P {number}",
                    "list": ("opportunity", "nurture", "nurture", "disqualified")[number % 4],
                    # Nobody's: one opportunity in twenty (among them waiting ones).
                    "owner_id": team[number % 3] if number % 4 == 0 and number % 80 else None,
                    "reason": "seeded",
                    "channel": "direct",
                    "score": number % 200,
                    "first_interest_at": now - timedelta(hours=number * 3 % 8760),
                    "last_interest_at": now - timedelta(hours=number * 3 % 8760),
                    # One opportunity in ten waits for its answer, some overdue.
                    "respond_by": now + timedelta(minutes=number % 600 - 300)
                    if number % 40 == 0
                    else None,
                }
                for number in range(4000)
            ],
        )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        filters = LeadFilters(warmth="warm", viewer=Viewer(team[0], takes_leads=True))
        sent = []
        listen = lambda *args: sent.append(args[2:4])  # noqa: E731 - (statement, parameters)
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            page = lead_page(filters, QualificationRules(), ZoneInfo("Europe/Amsterdam"), now)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        due, band = [sql for sql in sent if "FROM leads" in sql[0]]
        plan, due_plan = plan_of(*band), plan_of(*due)
        sent.clear()
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            nobodys = lead_page(
                LeadFilters(owner="none"), QualificationRules(), ZoneInfo("Europe/Amsterdam"), now
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        nobodys_due_plan = plan_of(*[sql for sql in sent if "FROM leads" in sql[0]][0])

    assert page.leads and {lead.owner_id for lead in page.leads} == {team[0]}
    waiting = [lead.respond_by for lead in page.leads if lead.respond_by]
    assert waiting and waiting == sorted(waiting)  # soonest due first
    assert page.leads[: len(waiting)] == [lead for lead in page.leads if lead.respond_by]
    assert "ix_leads_list_owner_score" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # SQLite: no sort of a band's range
    # The ones due: one person's range of the partial index, in its order.
    assert "ix_leads_list_owner_respond_by" in due_plan, due_plan
    assert "TEMP B-TREE" not in due_plan, due_plan
    # Nobody's too. (PostgreSQL sorts this handful; at scale it reads the
    # index forwards, NULLs last, for the order asked: 0.7 ms, not 23, measured
    # once at 1,000,000 leads.)
    assert nobodys.leads[0].respond_by and nobodys.leads[0].owner_id is None
    assert "ix_leads_list_owner_respond_by" in nobodys_due_plan, nobodys_due_plan
    assert "TEMP B-TREE" not in nobodys_due_plan, nobodys_due_plan
