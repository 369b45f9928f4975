"""The response targets page: a target per list and size class and the
business hours, a preview of what they would do to the leads waiting for an
answer and to the recent answers, and saving, which recomputes every running
clock from its start."""

from datetime import datetime, time, timedelta

import holidays
import pytest
from bs4 import BeautifulSoup

from capture.admin.target_forms import hours_text, typed_target
from capture.domain.business_time import (
    DEFAULT_HOURS,
    OFFICE_HOURS,
    BusinessHours,
    add_business_time,
)
from capture.domain.triage import DEFAULT_TARGETS, ResponseTargets
from capture.extensions import db
from capture.leads.business_calendar import is_dutch_holiday
from capture.leads.clocks import (
    save_targets,
    start_clock,
    stop_clock,
    store_clock,
    stored_hours,
    stored_targets,
)
from capture.leads.owners import business_today
from capture.models import ResponseClock, Setting, User, utcnow

from ..support.auth import login_token
from ..support.clocks import AMSTERDAM, amsterdam, clocks_of, lead_id_by_email, stored_lead
from ..support.factories import make_lead
from ..support.visitor import CONTACT, Visitor, page_inputs

PATH = "/admin/targets"
PREVIEW = "/admin/targets/preview"
HTMX = {"HX-Request": "true"}
HOUR = timedelta(hours=1)
KEYS = ("response_targets", "business_hours")
SATURDAY_MORNINGS = BusinessHours((OFFICE_HOURS,) * 5 + ((time(9), time(13)), None))


@pytest.fixture
def admin(auth):
    return auth.login("admin")


@pytest.fixture
def sanne(app, users):
    """The `users` fixture's sales person, named."""
    with app.app_context():
        db.session.get(User, users["sales"][0]).name = "Sanne Bakker"
        db.session.commit()
    return users["sales"][0]


def editor_values(html: str) -> dict:
    return page_inputs(html, within="#targets-editor")


def send(client, path: str, headers=None, **changes):
    """Open the page and post its editor to `path`, with `changes` (None: the
    field is not sent, as an unticked checkbox)."""
    values = {**editor_values(client.get(PATH).get_data(as_text=True)), **changes}
    values = {name: value for name, value in values.items() if value is not None}
    return client.post(path, data=values, headers=headers or {})


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ", strip=True).split())


def field_errors(response) -> dict:
    return {
        p["id"].removesuffix("-error"): text(p) for p in soup_of(response).select("p[id$='-error']")
    }


def stored_settings(app) -> dict:
    with app.app_context():
        rows = db.session.scalars(db.select(Setting).where(Setting.key.in_(KEYS))).all()
        return {row.key: row.value for row in rows}


def running_clocks(app) -> list[tuple]:
    """Every clock as stored, to show that nothing changed."""
    with app.app_context():
        return [
            (c.id, c.lead_id, c.size_class, c.target_minutes, c.respond_by, c.escalate_at)
            for c in db.session.scalars(db.select(ResponseClock).order_by(ResponseClock.id))
        ]


def lead_with_clock(headcount: str | None, started_at, **values) -> int:
    """A lead that became an opportunity at `started_at`, its clock running
    under the settings in force. Call inside an app context; the caller commits."""
    lead = make_lead(headcount=headcount, **values)
    store_clock(lead, start_clock(lead, started_at))
    return lead.id


def after(start, duration, hours: BusinessHours = DEFAULT_HOURS):
    """`duration` of business time after `start` in `hours`, Dutch holidays off."""
    return add_business_time(start, duration, hours, is_dutch_holiday, AMSTERDAM)


# The editor


def test_the_editor_shows_the_targets_and_hours_in_force_and_the_contract_defaults(client, admin):
    answer = client.get(PATH)

    values = editor_values(answer.get_data(as_text=True))
    assert answer.status_code == 200
    assert [values[f"opportunity_{size}"] for size in ("large", "medium", "small", "unknown")] == [
        "1",
        "4",
        "8",
        "8",
    ]
    assert [values[f"nurture_{size}"] for size in ("large", "medium", "small", "unknown")] == [
        ""
    ] * 4
    assert (values["monday_open"], values["monday_opens"], values["monday_closes"]) == (
        "y",
        "09:00",
        "17:00",
    )
    assert "saturday_open" not in values and "sunday_open" not in values
    assert soup_of(answer).select_one("input[name=monday_opens]")["type"] == "time"
    hints = soup_of(answer)
    assert text(hints.select_one("#opportunity_large-hint")) == "default: 1 h"
    assert text(hints.select_one("#nurture_small-hint")) == "default: none"


def test_a_stored_target_in_odd_minutes_is_shown_as_hours_and_minutes(app, client, admin):
    with app.app_context():
        targets = {**DEFAULT_TARGETS["opportunity"], "large": timedelta(minutes=100)}
        save_targets(ResponseTargets({"opportunity": targets}), user_id=None)
        db.session.commit()

    values = editor_values(client.get(PATH).get_data(as_text=True))

    assert values["opportunity_large"] == "1:40"


def test_the_admin_menu_has_the_page_right_after_the_qualification_rules(client, admin):
    soup = soup_of(client.get(PATH))

    menu = [link["href"] for link in soup.select("nav.subnav a")]
    assert menu[menu.index("/admin/rules") + 1] == PATH
    assert soup.select_one("nav.subnav a[aria-current=page]")["href"] == PATH


def test_the_rules_page_links_the_response_targets(client, admin):
    soup = soup_of(client.get("/admin/rules"))

    assert soup.select_one(f"main a[href='{PATH}']:not(nav a)") is not None


def test_the_page_names_the_time_zone_and_the_next_three_dutch_holidays(app, client, admin):
    with app.test_request_context():
        today = business_today()
    expected = holidays.country_holidays("NL", years=[today.year, today.year + 1], language="en_US")
    upcoming = sorted((day, name) for day, name in expected.items() if day >= today)[:3]

    soup = soup_of(client.get(PATH))

    shown = [
        (item.select_one("time")["datetime"], text(item).split(": ", 1)[1])
        for item in soup.select("#next-holidays li")
    ]
    assert shown == [(day.isoformat(), name) for day, name in upcoming]
    assert "Times are in Europe/Amsterdam." in text(soup)
    assert "Dutch public holidays are closed days" in text(soup)


def test_a_dutch_reader_gets_the_holidays_dutch_names(app, client, users, auth):
    with app.app_context():
        db.session.get(User, users["admin"][0]).language = "nl"
        db.session.commit()
        today = business_today()
    auth.login("admin")
    dutch = holidays.country_holidays("NL", years=[today.year, today.year + 1], language="nl")
    upcoming = sorted((day, name) for day, name in dutch.items() if day >= today)[:3]

    soup = soup_of(client.get(PATH))

    assert [text(item).split(": ", 1)[1] for item in soup.select("#next-holidays li")] == [
        name for _day, name in upcoming
    ]


# Hours as typed: (typed, the target it is)
TYPED = [
    ("1.5", timedelta(minutes=90)),
    ("1,5", timedelta(minutes=90)),
    ("1:30", timedelta(minutes=90)),
    (" 0.25 ", timedelta(minutes=15)),
    ("40", timedelta(hours=40)),
    ("", None),
]


def test_the_typed_hours_table_is_not_empty():
    assert len(TYPED) >= 5


@pytest.mark.parametrize(("typed", "target"), TYPED)
def test_a_target_is_typed_in_hours_with_a_point_a_comma_or_as_hours_and_minutes(typed, target):
    assert typed_target(typed) == target


@pytest.mark.parametrize(("typed", "target"), [case for case in TYPED if case[1] is not None])
def test_a_saved_target_shows_again_as_it_was_typed_or_in_hours_and_minutes(app, typed, target):
    with app.test_request_context():
        shown = hours_text(target)

    assert typed_target(shown) == target


# Bad input

# (what it shows, the fields posted, the field the message is beside, part of the message)
REFUSED = [
    ("a target of zero", {"opportunity_large": "0"}, "opportunity_large", "longer than zero"),
    ("a negative target", {"nurture_small": "-1"}, "nurture_small", "longer than zero"),
    ("over 40 hours", {"opportunity_medium": "41"}, "opportunity_medium", "at most 40 business"),
    (
        "not whole minutes",
        {"opportunity_small": "1.001"},
        "opportunity_small",
        "whole number of minutes",
    ),
    ("not a number", {"nurture_large": "soon"}, "nurture_large", "Enter a number of hours"),
    (
        "closing before opening",
        {"monday_closes": "08:00"},
        "monday_closes",
        "closes after it opens",
    ),
    ("closing as it opens", {"friday_closes": "09:00"}, "friday_closes", "closes after it opens"),
    ("an open day without a time", {"tuesday_opens": ""}, "tuesday_opens", "Enter a time"),
]


def test_the_refusals_table_is_not_empty():
    assert len(REFUSED) >= 5


@pytest.mark.parametrize("path", [PATH, PREVIEW])
@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_bad_input_is_refused_beside_its_field_as_typed_and_nothing_is_stored(
    app, client, admin, path, posted, field, message
):
    with app.app_context():
        lead_with_clock("250-999", amsterdam(2026, 11, 18, 10))
        db.session.commit()
    clocks = running_clocks(app)

    answer = send(client, path, **posted)

    assert answer.status_code == 422
    assert message in field_errors(answer)[field]
    assert {name: editor_values(answer.get_data(as_text=True))[name] for name in posted} == posted
    assert stored_settings(app) == {}
    assert running_clocks(app) == clocks


def test_business_hours_without_an_open_day_are_refused(app, client, admin):
    closed = {f"{day}_open": None for day in ("monday", "tuesday", "wednesday", "thursday")}

    answer = send(client, PATH, friday_open=None, **closed)

    soup = soup_of(answer)
    assert answer.status_code == 422
    assert text(soup.select_one("#hours-error")) == "Business hours need at least one open day."
    assert soup.select("#hours-table input[type=checkbox][checked]") == []
    assert editor_values(answer.get_data(as_text=True))["monday_opens"] == "09:00"
    assert stored_settings(app) == {}


def test_a_closed_days_times_are_not_looked_at(app, client, admin):
    answer = send(client, PATH, saturday_opens="18:00", saturday_closes="")

    assert answer.status_code == 303
    assert stored_hours_of(app) == BusinessHours()


def test_a_live_preview_of_bad_input_names_the_problem_in_the_preview(client, admin):
    answer = send(client, PREVIEW, headers=HTMX, opportunity_large="0")

    problems = soup_of(answer).select_one("#targets-preview #targets-problems")
    assert answer.status_code == 422
    assert "A response target is longer than zero." in text(problems)


# Saving


def stored_hours_of(app) -> BusinessHours:
    with app.app_context():
        return stored_hours()


def test_saving_stores_the_settings_and_the_next_opportunity_is_due_by_them(
    app, client, admin, users
):
    answer = send(
        client,
        PATH,
        opportunity_large="2",
        nurture_unknown="40",
        saturday_open="y",
        saturday_opens="09:00",
        saturday_closes="13:00",
    )

    assert answer.status_code == 303 and answer.location == PATH
    flashed = text(soup_of(client.get(PATH)).select_one(".flash--info"))
    assert flashed == "Saved. 0 running clocks follow the new targets."
    with app.app_context():
        targets = stored_targets()
        assert targets.by_list["opportunity"]["large"] == 2 * HOUR
        assert targets.by_list["nurture"] == {None: 40 * HOUR}
        assert stored_hours() == SATURDAY_MORNINGS
        assert db.session.get(Setting, "response_targets").updated_by_id == users["admin"][0]

    Visitor(app.test_client()).submit("demo-contact", qualify={"headcount": "250-999"})

    lead_id = lead_id_by_email(app, CONTACT["email"])
    (clock,) = clocks_of(app, lead_id)
    assert (clock.size_class, clock.target_minutes) == ("large", 120)
    assert clock.respond_by == after(clock.started_at, 2 * HOUR, SATURDAY_MORNINGS)
    assert stored_lead(app, lead_id).respond_by == clock.respond_by


def test_saving_recomputes_every_running_clock_from_its_start(app, client, admin):
    friday = amsterdam(2026, 11, 20, 16, 30)
    wednesday = amsterdam(2026, 11, 18, 10)
    reminded = amsterdam(2026, 11, 18, 18)
    with app.app_context():
        large = lead_with_clock("1000+", friday)
        small = lead_with_clock("10-49", wednesday)
        unknown = lead_with_clock(None, wednesday)
        db.session.execute(
            db.update(ResponseClock)
            .where(ResponseClock.lead_id == small)
            .values(reminded_at=reminded, escalated_at=reminded)
        )
        answered = make_lead(headcount="1000+")
        store_clock(answered, start_clock(answered, wednesday))
        stop_clock(answered, "contacted", amsterdam(2026, 11, 18, 10, 30))
        db.session.commit()
        answered = answered.id
    (answered_before,) = clocks_of(app, answered)

    answer = send(
        client,
        PATH,
        opportunity_large="2",
        opportunity_small="1,5",
        saturday_open="y",
        saturday_opens="09:00",
        saturday_closes="13:00",
    )

    assert answer.status_code == 303
    flashed = text(soup_of(client.get(PATH)).select_one(".flash--info"))
    assert flashed == "Saved. 3 running clocks follow the new targets."
    for lead_id, started_at, target, size in [
        (large, friday, 2 * HOUR, "large"),
        (small, wednesday, 1.5 * HOUR, "small"),
        (unknown, wednesday, 8 * HOUR, None),
    ]:
        (clock,) = clocks_of(app, lead_id)
        due = after(started_at, target, SATURDAY_MORNINGS)
        assert (clock.started_at, clock.size_class) == (started_at, size)
        assert clock.target_minutes == target // timedelta(minutes=1)
        assert clock.respond_by == due == stored_lead(app, lead_id).respond_by
        assert clock.escalate_at == after(started_at, 2 * target, SATURDAY_MORNINGS)
    # Friday 16:30 + 2 h: half an hour on Friday, then Saturday from 09:00.
    assert clocks_of(app, large)[0].respond_by == amsterdam(2026, 11, 21, 10, 30)
    (small_clock,) = clocks_of(app, small)
    assert (small_clock.reminded_at, small_clock.escalated_at) == (reminded, reminded)
    (answered_after,) = clocks_of(app, answered)
    assert clock_values(answered_after) == clock_values(answered_before)
    assert stored_lead(app, answered).respond_by is None


def clock_values(clock) -> tuple:
    return (
        clock.id,
        clock.size_class,
        clock.target_minutes,
        clock.respond_by,
        clock.escalate_at,
        clock.stopped_at,
        clock.response_minutes,
    )


def test_a_size_class_emptied_takes_its_running_clocks_away(app, client, admin):
    wednesday = amsterdam(2026, 11, 18, 10)
    with app.app_context():
        small = lead_with_clock("10-49", wednesday)
        large = lead_with_clock("250-999", wednesday)
        db.session.commit()

    answer = send(client, PATH, opportunity_small="")

    assert answer.status_code == 303
    flashed = text(soup_of(client.get(PATH)).select_one(".flash--info"))
    assert flashed == (
        "Saved. 1 running clock follows the new targets. "
        "1 lead no longer has a response clock: its size class has no target now."
    )
    assert clocks_of(app, small) == []
    assert stored_lead(app, small).respond_by is None
    (clock,) = clocks_of(app, large)
    assert clock.respond_by == after(wednesday, HOUR) == stored_lead(app, large).respond_by


# The preview


@pytest.fixture
def waiting(app, sanne):
    """Leads with a running clock: a large and a medium firm waiting since
    January 2025 (long overdue), a small one since now (not due yet); and
    leads without one: a nurture lead, and an opportunity already contacted."""
    long_ago = amsterdam(2025, 1, 6, 10)
    with app.app_context():
        now = utcnow()
        ids = {
            "large": lead_with_clock("250-999", long_ago, name="Lotte Groot"),
            "medium": lead_with_clock(
                "50-99", long_ago + HOUR, name="Mark Middel", company="Middel BV", owner_id=sanne
            ),
            "small": lead_with_clock("2-9", now, name="Kees Klein"),
            "nurture": make_lead(headcount="250-999", list="nurture").id,
        }
        contacted = make_lead(headcount="250-999")
        store_clock(contacted, start_clock(contacted, long_ago))
        stop_clock(contacted, "contacted", long_ago + HOUR)
        db.session.commit()
    return ids, long_ago, now


def preview_rows(answer) -> list[dict]:
    rows = []
    for row in soup_of(answer).select("#targets-soonest tbody tr"):
        cells = row.select("td")
        rows.append(
            {
                "lead": int(row["data-lead"]),
                "link": cells[0].select_one("a")["href"],
                "size": text(cells[1]),
                "owner": text(cells[2]),
                "now": datetime.fromisoformat(cells[3].select_one("time")["datetime"]),
                "typed": datetime.fromisoformat(cells[4].select_one("time")["datetime"]),
            }
        )
    return rows


def test_the_preview_counts_the_overdue_leads_now_and_with_the_typed_settings(
    app, client, admin, waiting
):
    ids, long_ago, now = waiting
    clocks = running_clocks(app)

    answer = send(client, PREVIEW, opportunity_large="", opportunity_medium="2")

    soup = soup_of(answer)
    overdue = soup.select_one("#targets-overdue")
    assert answer.status_code == 200
    assert (overdue["data-now"], overdue["data-typed"]) == ("2", "1")
    assert text(overdue) == (
        "Overdue now: 2 of 3 leads with a running clock. With these settings: 1."
    )
    assert text(soup.select_one("#targets-without")).startswith("1 lead would have no response")
    assert "Nothing is saved by the preview." in text(soup.select_one("#targets-preview"))
    medium_start = long_ago + HOUR
    assert preview_rows(answer) == [
        {
            "lead": ids["medium"],
            "link": f"/sales/leads/{ids['medium']}",
            "size": "Medium (50-249)",
            "owner": "Sanne Bakker",
            "now": after(medium_start, 4 * HOUR),
            "typed": after(medium_start, 2 * HOUR),
        },
        {
            "lead": ids["small"],
            "link": f"/sales/leads/{ids['small']}",
            "size": "Small (1-49)",
            "owner": "unassigned",
            "now": after(now, 8 * HOUR),
            "typed": after(now, 8 * HOUR),
        },
    ]
    assert stored_settings(app) == {}
    assert running_clocks(app) == clocks


def test_the_preview_lists_the_ten_leads_due_first_with_the_typed_settings(app, client, admin):
    start = amsterdam(2026, 11, 16, 9)
    with app.app_context():
        # Twelve small firms from Monday 09:00, an hour apart (due from Monday
        # 17:00 on); a large firm at 21:00, due Tuesday 09:30 with half an hour.
        later = [lead_with_clock("10-49", start + n * HOUR) for n in range(12)]
        first = lead_with_clock("1000+", start + 12 * HOUR)
        db.session.commit()

    answer = send(client, PREVIEW, opportunity_large="0:30")

    rows = preview_rows(answer)
    assert [row["lead"] for row in rows] == [later[0], first, *later[1:9]]
    assert rows[1]["typed"] == amsterdam(2026, 11, 17, 9, 30)


def test_the_preview_compares_recent_answers_with_their_targets_now_and_typed(app, client, admin):
    now = utcnow()
    # (size class, target minutes, response minutes, days ago it was answered)
    answered = [
        ("large", 60, 45, 2),  # within; with 2 h within
        ("large", 60, 90, 3),  # late; with 2 h within
        ("small", 480, 300, 10),  # within; with 4 h late
        (None, 480, 500, 5),  # late; with no target left out
        ("large", 60, 30, 100),  # too long ago
    ]
    with app.app_context():
        lead = make_lead(headcount="250-999")
        for size, target, response, days in answered:
            stopped = now - timedelta(days=days)
            db.session.add(
                ResponseClock(
                    lead_id=lead.id,
                    list="opportunity",
                    started_at=stopped - HOUR,
                    size_class=size,
                    target_minutes=target,
                    respond_by=stopped,
                    escalate_at=stopped,
                    stopped_at=stopped,
                    stopped_because="contacted",
                    response_minutes=response,
                )
            )
        # Moved away before an answer: no answer time, not counted.
        db.session.add(
            ResponseClock(
                lead_id=lead.id,
                list="opportunity",
                started_at=now - timedelta(days=1),
                size_class="medium",
                target_minutes=240,
                respond_by=now,
                escalate_at=now,
                stopped_at=now - timedelta(hours=1),
                stopped_because="moved",
            )
        )
        db.session.commit()

    answer = send(
        client, PREVIEW, opportunity_large="2", opportunity_small="4", opportunity_unknown=""
    )

    history = soup_of(answer).select_one("#targets-history")
    assert (history["data-answered"], history["data-now"], history["data-typed"]) == (
        "4",
        "50%",
        "67%",
    )
    assert "Of the 4 first answers in the last 90 days, 50% came within their target" in text(
        history
    )
    assert "1 of them would have no target" in text(history)


def test_an_htmx_preview_answers_with_the_editor_that_holds_the_preview(client, admin, waiting):
    answer = send(client, PREVIEW, headers=HTMX, opportunity_medium="2")

    soup = soup_of(answer)
    assert answer.status_code == 200
    assert soup.select_one("html") is None
    form = soup.select_one("div#targets-editor > form")
    assert form["action"] == PATH
    assert (form["hx-trigger"], form["hx-select"]) == ("change", "#targets-preview")
    assert soup.select_one("#targets-preview #targets-overdue") is not None
    assert "HX-Request" in answer.headers["Vary"]


# Who may


@pytest.mark.parametrize(("method", "path"), [("get", PATH), ("post", PREVIEW), ("post", PATH)])
def test_a_sales_person_may_not_open_or_change_the_targets(app, client, auth, method, path):
    auth.login("sales")
    token = auth.csrf_token("/sales/")

    answer = getattr(client, method)(path, data={"csrf_token": token, "opportunity_large": "2"})

    assert answer.status_code == 403
    assert stored_settings(app) == {}


@pytest.mark.parametrize(("method", "path"), [("get", PATH), ("post", PREVIEW), ("post", PATH)])
def test_without_login_the_targets_page_sends_you_to_log_in(app, client, users, method, path):
    data = {"csrf_token": login_token(client), "opportunity_large": "2"}

    answer = getattr(client, method)(path, data=data)

    assert answer.status_code == 302
    assert "/login" in answer.location
    assert stored_settings(app) == {}


def test_saving_needs_the_csrf_token(app, client, admin):
    values = editor_values(client.get(PATH).get_data(as_text=True))
    del values["csrf_token"]

    answer = client.post(PATH, data={**values, "opportunity_large": "2"})

    assert answer.status_code == 400
    assert stored_settings(app) == {}
