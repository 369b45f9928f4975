"""First response on the insights page: per owner and per channel for the
clocks started in the period, the opportunities overdue now, and the CSV.

The clocks below are October 2026's, each with its business minutes and
target set by hand; every expected figure is worked out in the comments.

    clock lead's channel  counts for  target  outcome
    A1    paid            Anna        60      answered in 30: within
    A2    paid            Anna        60      answered in 90: late
    A3    email           Anna        240     answered in 45: within
    A4    paid            Anna        60      running, past its deadline: missed
    A5    paid            Anna        60      answered in 20 by Anna; the lead is Bas's now: within
    B1    direct          Bas         480     answered in 200: within
    B2    direct          Bas         60      answered in 10: within
    B3    direct          Bas         60      moved before its deadline: not counted
    B4    event           Bas         60      moved after its deadline: missed
    U1    paid            nobody      60      answered in 120 with no owner: late

    Anna    answered 20, 30, 45, 90: median (30 + 45) / 2 = 37.5 -> 38 min;
            90th percentile rank ceil(0.9 * 4) = 4 -> 90 min; within 3 of 5 = 60%
    Bas     answered 10, 200: median 105 min; rank ceil(1.8) = 2 -> 200 min;
            within 2 of 3 = 67%
    nobody  answered 120: median and 90th 2 h; within 0 of 1 = 0%
    all     10, 20, 30, 45, 90, 120, 200: median 45 min; rank ceil(6.3) = 7 -> 200 min;
            within 5 of 9 = 56%
    paid 2 of 5 (40%), email 1 of 1, direct 2 of 2, event 0 of 1.
"""

import csv
import io
from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Form, ResponseClock, utcnow

from ..support.clocks import amsterdam
from ..support.factories import make_lead
from ..support.insights_dataset import OCTOBER
from ..support.people import add_person

MINUTE = timedelta(minutes=1)


def add_clock(
    lead,
    started_at: datetime,
    target: int = 60,
    *,
    answered_in: int | None = None,
    owner_id: int | None = None,
    stopped_at: datetime | None = None,
    because: str | None = None,
    respond_by: datetime | None = None,
) -> None:
    """A clock of `lead` from `started_at`: answered in `answered_in` business
    minutes, stopped at `stopped_at` (a move), or running (neither)."""
    respond_by = respond_by or started_at + target * MINUTE
    if answered_in is not None:
        stopped_at, because = started_at + answered_in * MINUTE, because or "contacted"
    elif stopped_at is not None:
        because = because or "moved"
    db.session.add(
        ResponseClock(
            lead_id=lead.id,
            list="opportunity",
            started_at=started_at,
            size_class=None,
            target_minutes=target,
            respond_by=respond_by,
            escalate_at=started_at + 2 * target * MINUTE,
            owner_id=owner_id if stopped_at is not None else None,
            stopped_at=stopped_at,
            stopped_because=because,
            response_minutes=answered_in,
        )
    )
    if stopped_at is None:
        lead.respond_by = respond_by


def add_october_clocks(app, form: Form | None = None) -> dict[str, int]:
    """The table above; the people's ids by name. A1's lead came through `form`."""
    anna = add_person(app, "anna@leadgate.test", name="Anna de Vries")
    bas = add_person(app, "bas@leadgate.test", name="Bas")
    with app.app_context():

        def lead(channel, owner=None, **values):
            return make_lead(channel=channel, owner_id=owner, **values)

        day = iter(range(1, 31))

        def start():
            return amsterdam(2026, 10, next(day))

        form_id = form.id if form else None
        add_clock(lead("paid", anna, first_form_id=form_id), start(), answered_in=30, owner_id=anna)
        add_clock(lead("paid", anna), start(), answered_in=90, owner_id=anna, because="won")
        add_clock(lead("email", anna), start(), 240, answered_in=45, owner_id=anna)
        add_clock(lead("paid", anna), start())  # running since October: long overdue
        add_clock(lead("paid", bas), start(), answered_in=20, owner_id=anna)
        add_clock(lead("direct", bas), start(), 480, answered_in=200, owner_id=bas, because="lost")
        add_clock(lead("direct", bas), start(), answered_in=10, owner_id=bas)
        moved_in_time = start()
        add_clock(lead("direct", bas), moved_in_time, stopped_at=moved_in_time + 59 * MINUTE)
        moved_late = start()
        add_clock(lead("event", bas), moved_late, stopped_at=moved_late + 61 * MINUTE, owner_id=bas)
        add_clock(lead("paid"), start(), answered_in=120)
        db.session.commit()
    return {"Anna de Vries": anna, "Bas": bas}


def page(client, **args):
    answer = client.get("/sales/insights/", query_string={**OCTOBER, **args})
    assert answer.status_code == 200
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


def rows_of(table) -> dict[str, list[str]]:
    rows = {}
    for row in table.select("tr"):
        cells = [" ".join(cell.get_text(" ", strip=True).split()) for cell in row(["th", "td"])]
        rows[cells[0]] = cells[1:]
    return rows


def owners_table(soup) -> dict[str, list[str]]:
    section = soup.find(attrs={"aria-labelledby": "responses-title"})
    return rows_of(section.select("table")[0])


def channels_table(soup) -> dict[str, list[str]]:
    return rows_of(soup.find(id="responses-channels"))


def csv_rows(client, **args) -> list[list[str]]:
    answer = client.get(
        "/sales/insights/export.csv", query_string={"table": "responses", **OCTOBER, **args}
    )
    assert answer.status_code == 200
    return list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))


def test_each_owner_shows_answered_median_90th_percentile_and_share_within_target(
    app, client, auth
):
    add_october_clocks(app)
    auth.login("sales")

    rows = owners_table(page(client))

    assert rows == {
        "Owner": [
            "Answered",
            "Median (business hours)",
            "90th percentile (business hours)",
            "Within target",
        ],
        "Anna de Vries": ["4", "38 min", "1 h 30 min", "60% 3 of 5"],
        "Bas": ["2", "1 h 45 min", "3 h 20 min", "67% 2 of 3"],
        "Unassigned": ["1", "2 h", "2 h", "0% 0 of 1"],
        "All owners": ["7", "45 min", "3 h 20 min", "56% 5 of 9"],
    }
    # By name, nobody last.
    assert list(rows)[1:4] == ["Anna de Vries", "Bas", "Unassigned"]


def test_each_channel_shows_its_share_within_target(app, client, auth):
    add_october_clocks(app)
    auth.login("sales")

    rows = channels_table(page(client))

    assert rows == {
        "Channel": ["Counted", "Within target"],
        "paid": ["5", "40% 2 of 5"],
        "email": ["1", "100% 1 of 1"],
        "direct": ["2", "100% 2 of 2"],
        "event": ["1", "0% 0 of 1"],
    }


def test_a_running_overdue_clock_is_missed_by_the_leads_owner(app, client, auth):
    anna = add_person(app, "anna@leadgate.test", name="Anna de Vries")
    with app.app_context():
        add_clock(make_lead(owner_id=anna), amsterdam(2026, 10, 5))
        db.session.commit()
    auth.login("sales")

    assert owners_table(page(client))["Anna de Vries"] == ["0", "—", "—", "0% 0 of 1"]


def test_clocks_not_yet_due_or_moved_away_in_time_do_not_count(app, client, auth):
    anna = add_person(app, "anna@leadgate.test", name="Anna de Vries")
    now = utcnow()
    with app.app_context():
        # Started an hour ago, due tomorrow: may still be answered in time.
        add_clock(make_lead(owner_id=anna), now - 60 * MINUTE, respond_by=now + timedelta(days=1))
        # Moved to nurture a minute before its deadline: never owed an answer.
        moved = now - timedelta(hours=3)
        add_clock(make_lead(owner_id=anna), moved, owner_id=anna, stopped_at=moved + 59 * MINUTE)
        db.session.commit()
    auth.login("sales")

    soup = page(client, period="30d")

    section = soup.find(attrs={"aria-labelledby": "responses-title"})
    assert section.select("table") == []
    assert "No first response to count in this period yet." in section.get_text()


def test_a_clock_counts_in_the_period_it_started_in_by_the_business_zone(app, client, auth):
    anna = add_person(app, "anna@leadgate.test", name="Anna de Vries")
    with app.app_context():
        for started in (
            amsterdam(2026, 9, 30, 23, 59),  # out: the day before
            amsterdam(2026, 10, 1, 0, 0),  # in: summer time, 22:00 UTC the day before
            amsterdam(2026, 10, 31, 23, 59),  # in: winter time since the 25th
            amsterdam(2026, 11, 1, 0, 0),  # out
        ):
            add_clock(make_lead(owner_id=anna), started, answered_in=30, owner_id=anna)
        db.session.commit()
    auth.login("sales")

    assert owners_table(page(client))["Anna de Vries"][0] == "2"
    november = page(client, since="2026-11-01", until="2026-11-30")
    assert owners_table(november)["Anna de Vries"][0] == "1"


def test_a_chosen_form_counts_the_clocks_of_the_leads_it_brought_in(app, client, auth):
    with app.app_context():
        gate = db.session.scalar(db.select(Form).where(Form.slug == "demo-ebook"))
    add_october_clocks(app, gate)
    auth.login("sales")

    soup = page(client, form="demo-ebook")

    assert owners_table(soup) == {
        "Owner": owners_table(soup)["Owner"],
        "Anna de Vries": ["1", "30 min", "30 min", "100% 1 of 1"],
        "All owners": ["1", "30 min", "30 min", "100% 1 of 1"],
    }
    assert channels_table(soup)["paid"] == ["1", "100% 1 of 1"]


def test_the_headline_counts_opportunities_overdue_now_and_links_to_them(app, client, auth):
    now = utcnow()
    with app.app_context():
        make_lead(list="opportunity", respond_by=now - MINUTE)
        make_lead(list="opportunity", respond_by=now - timedelta(days=400))  # any period
        make_lead(list="opportunity", respond_by=now + timedelta(hours=1))  # not yet
        make_lead(list="opportunity")  # no clock runs
        make_lead(list="nurture", respond_by=now - MINUTE)  # not an opportunity
        db.session.commit()
    auth.login("sales")

    headline = page(client).find(id="overdue-now")

    link = headline.find("a")
    assert " ".join(link.get_text().split()) == "2 opportunities are overdue now"
    assert link["href"] == "/sales/?list=opportunity&owner=all&due=overdue"


def test_the_headline_is_calm_when_no_opportunity_is_overdue(app, client, auth):
    with app.app_context():
        make_lead(list="opportunity", respond_by=utcnow() + timedelta(hours=1))
        db.session.commit()
    auth.login("sales")

    headline = page(client).find(id="overdue-now")

    assert headline.find("a") is None
    assert headline.get_text(strip=True) == "No opportunity is overdue."


def test_the_headline_says_one_opportunity_in_the_singular(app, client, auth):
    with app.app_context():
        make_lead(list="opportunity", respond_by=utcnow() - MINUTE)
        db.session.commit()
    auth.login("sales")

    assert page(client).find(id="overdue-now").a.get_text(strip=True) == (
        "1 opportunity is overdue now"
    )


def test_the_csv_has_the_owners_rows_of_the_page(app, client, auth):
    add_october_clocks(app)
    auth.login("sales")

    rows = csv_rows(client)

    assert rows == [
        [
            "owner",
            "owner_email",
            "answered",
            "median_response_business_minutes",
            "p90_response_business_minutes",
            "counted",
            "within_target",
            "within_target_share",
        ],
        ["Anna de Vries", "anna@leadgate.test", "4", "37.5", "90", "5", "3", "0.6000"],
        ["Bas", "bas@leadgate.test", "2", "105", "200", "3", "2", "0.6667"],
        ["(unassigned)", "", "1", "120", "120", "1", "0", "0.0000"],
        ["all", "", "7", "45", "200", "9", "5", "0.5556"],
    ]


@pytest.mark.parametrize("role", ["sales", "admin"])
def test_sales_and_admins_see_first_response_as_they_see_the_page(app, client, auth, role):
    add_october_clocks(app)
    auth.login(role)

    soup = page(client)

    assert soup.find(id="responses-title").get_text() == "First response"
    assert csv_rows(client)[1][0] == "Anna de Vries"


def test_someone_logged_out_sees_neither_the_page_nor_its_csv(app, client):
    add_october_clocks(app)

    for path in ("/sales/insights/", "/sales/insights/export.csv?table=responses"):
        answer = client.get(path)
        assert answer.status_code == 302
        assert "/login" in answer.headers["Location"]


def test_a_hostile_owner_name_is_escaped_on_the_page_and_inert_in_the_csv(app, client, auth):
    hostile = add_person(app, "mallory@leadgate.test", name="<script>alert(1)</script>")
    formula = add_person(app, "eve@leadgate.test", name='=HYPERLINK("http://x")')
    with app.app_context():
        for owner in (hostile, formula):
            add_clock(
                make_lead(owner_id=owner), amsterdam(2026, 10, 5), answered_in=5, owner_id=owner
            )
        db.session.commit()
    auth.login("sales")

    html = client.get("/sales/insights/", query_string=OCTOBER).get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    names = [row[0] for row in csv_rows(client)[1:3]]
    assert sorted(names) == sorted(["<script>alert(1)</script>", '\'=HYPERLINK("http://x")'])
