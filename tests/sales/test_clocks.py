"""Response clocks: an opportunity is due `respond_by` = the moment it became
one + the target for its size class, in business hours; its own qualifying
step recomputes it; contacting, moving, winning or losing the lead stops
it; each entry into opportunity starts a new one; the CSV shows it."""

import csv
import io
from dataclasses import replace
from datetime import time, timedelta

import pytest

from capture.domain.business_time import OFFICE_HOURS, BusinessHours
from capture.domain.rules import DEFAULT_RULES
from capture.domain.triage import DEFAULT_TARGETS, SIZE_CLASSES, ResponseTargets
from capture.extensions import db
from capture.leads.business_calendar import is_dutch_holiday
from capture.leads.clocks import save_hours, save_targets, start_clock, store_clock
from capture.leads.privacy import erase_by_request, person_export
from capture.leads.rerouting import reroute_leads
from capture.models import Lead, ResponseClock, Submission, utcnow

from ..support.clocks import (
    AMSTERDAM,
    act,
    amsterdam,
    clocks_of,
    lead_id_by_email,
    open_time_between,
    restart_running_clock,
    stored_lead,
)
from ..support.factories import make_lead
from ..support.rule_changes import routed_lead
from ..support.visitor import CONTACT, Visitor, page_inputs

HOUR = timedelta(hours=1)

# (what it shows, became an opportunity at, headcount, respond by, escalate at)
DEADLINES = [
    (
        "a large firm on a Wednesday morning: one hour",
        amsterdam(2026, 11, 18, 10),
        "250-999",
        amsterdam(2026, 11, 18, 11),
        amsterdam(2026, 11, 18, 12),
    ),
    (
        "a medium firm: four hours, the escalation the next morning",
        amsterdam(2026, 11, 18, 10),
        "100-249",
        amsterdam(2026, 11, 18, 14),
        amsterdam(2026, 11, 19, 10),
    ),
    (
        "a small firm: eight hours, so the next day",
        amsterdam(2026, 11, 18, 10),
        "10-49",
        amsterdam(2026, 11, 19, 10),
        amsterdam(2026, 11, 20, 10),
    ),
    (
        "size unknown: eight hours",
        amsterdam(2026, 11, 18, 10),
        None,
        amsterdam(2026, 11, 19, 10),
        amsterdam(2026, 11, 20, 10),
    ),
    (
        "Friday 16:30 with one hour: Monday 09:30",
        amsterdam(2026, 11, 20, 16, 30),
        "1000+",
        amsterdam(2026, 11, 23, 9, 30),
        amsterdam(2026, 11, 23, 10, 30),
    ),
    (
        "on a Saturday the count starts on Monday at the opening",
        amsterdam(2026, 11, 21, 11),
        "250-999",
        amsterdam(2026, 11, 23, 10),
        amsterdam(2026, 11, 23, 11),
    ),
    (
        "on a Thursday evening the count starts on Friday morning",
        amsterdam(2026, 11, 19, 20),
        "50-99",
        amsterdam(2026, 11, 20, 13),
        amsterdam(2026, 11, 20, 17),
    ),
    (
        "King's Day is closed",
        amsterdam(2027, 4, 27, 10),
        "250-999",
        amsterdam(2027, 4, 28, 10),
        amsterdam(2027, 4, 28, 11),
    ),
    (
        "Christmas Eve 16:00 with eight hours: the Monday after Christmas",
        amsterdam(2026, 12, 24, 16),
        "2-9",
        amsterdam(2026, 12, 28, 16),
        amsterdam(2026, 12, 29, 16),
    ),
    (
        "across the spring DST change: Monday 09:30 summer time",
        amsterdam(2026, 3, 27, 16, 30),
        "250-999",
        amsterdam(2026, 3, 30, 9, 30),
        amsterdam(2026, 3, 30, 10, 30),
    ),
    (
        "across the autumn DST change: Monday 12:30 winter time",
        amsterdam(2027, 10, 29, 16, 30),
        "100-249",
        amsterdam(2027, 11, 1, 12, 30),
        amsterdam(2027, 11, 1, 16, 30),
    ),
]


def test_the_deadline_table_is_not_empty():
    assert len(DEADLINES) >= 10


@pytest.mark.parametrize(
    ("became_opportunity_at", "headcount", "due", "escalate_at"),
    [case[1:] for case in DEADLINES],
    ids=[case[0] for case in DEADLINES],
)
def test_an_opportunity_is_due_by_its_size_class_target_in_business_hours(
    app, became_opportunity_at, headcount, due, escalate_at
):
    with app.app_context():
        lead = make_lead(headcount=headcount)
        store_clock(lead, start_clock(lead, became_opportunity_at))
        db.session.commit()
        lead_id = lead.id

    (clock,) = clocks_of(app, lead_id)
    assert stored_lead(app, lead_id).respond_by == due
    assert (clock.list, clock.started_at, clock.respond_by) == (
        "opportunity",
        became_opportunity_at,
        due,
    )
    assert clock.escalate_at == escalate_at
    assert clock.stopped_at is None and clock.stopped_because is None


def test_the_admins_targets_and_business_hours_are_the_ones_counted(app):
    saturday_mornings = BusinessHours((OFFICE_HOURS,) * 5 + ((time(9), time(13)), None))
    with app.app_context():
        targets = {**DEFAULT_TARGETS["opportunity"], "large": 2 * HOUR}
        save_targets(ResponseTargets({"opportunity": targets}), user_id=None)
        save_hours(saturday_mornings, user_id=None)
        db.session.commit()
        lead = make_lead(headcount="1000+")
        store_clock(lead, start_clock(lead, amsterdam(2026, 11, 20, 16, 30)))
        db.session.commit()
        lead_id = lead.id

    (clock,) = clocks_of(app, lead_id)
    # Half an hour on Friday, then Saturday from 09:00.
    assert clock.respond_by == amsterdam(2026, 11, 21, 10, 30)
    assert clock.target_minutes == 120


def test_an_imported_lead_starts_no_clock(app):
    with app.app_context():
        lead = make_lead(headcount="250-999")
        assert start_clock(lead, amsterdam(2026, 11, 18, 10), imported=True) is None
        db.session.commit()
        lead_id = lead.id

    assert stored_lead(app, lead_id).respond_by is None
    assert clocks_of(app, lead_id) == []


# Through the hosted form


def submit_contact_step(client, email: str) -> Visitor:
    """The contact form's first step: an opportunity before its questions."""
    visitor = Visitor(client)
    visitor.open("demo-contact")
    answer = visitor.post({**CONTACT, "email": email, "consent": "y"})
    assert answer.status_code == 200
    return visitor


def test_a_contact_form_opportunity_is_due_within_business_hours_from_its_contact_step(
    app, client, users
):
    Visitor(client).submit("demo-contact", qualify={"headcount": "250-999"})

    lead_id = lead_id_by_email(app, CONTACT["email"])
    with app.app_context():
        contact_step = db.session.scalars(
            db.select(Submission.created_at).where(Submission.lead_id == lead_id)
        ).one()
    lead = stored_lead(app, lead_id)
    (clock,) = clocks_of(app, lead_id)
    assert (clock.list, clock.size_class, clock.target_minutes) == ("opportunity", "large", 60)
    assert clock.started_at == contact_step
    assert lead.respond_by == clock.respond_by
    assert open_time_between(clock.started_at, clock.respond_by) == HOUR
    assert open_time_between(clock.started_at, clock.escalate_at) == 2 * HOUR
    local = clock.respond_by.astimezone(AMSTERDAM)
    assert local.weekday() < 5 and not is_dutch_holiday(local.date())
    assert time(9) < local.time() <= time(17)


# (what it shows, the contact step "at", the qualifying step's headcount, respond by)
RECOMPUTED = [
    ("unknown size to large", amsterdam(2026, 11, 18, 10), "250-999", amsterdam(2026, 11, 18, 11)),
    ("unknown size to medium", amsterdam(2026, 11, 18, 10), "100-249", amsterdam(2026, 11, 18, 14)),
    ("unknown size to small", amsterdam(2026, 11, 18, 10), "10-49", amsterdam(2026, 11, 19, 10)),
    (
        "a Friday evening's large firm",
        amsterdam(2026, 11, 20, 18),
        "1000+",
        amsterdam(2026, 11, 23, 10),
    ),
    (
        "across the autumn DST change",
        amsterdam(2027, 10, 29, 16, 30),
        "50-99",
        amsterdam(2027, 11, 1, 12, 30),
    ),
    ("on King's Day", amsterdam(2027, 4, 27, 11), "250-999", amsterdam(2027, 4, 28, 10)),
]


def test_the_recomputation_table_is_not_empty():
    assert len(RECOMPUTED) >= 5


@pytest.mark.parametrize(
    ("started_at", "headcount", "due"),
    [case[1:] for case in RECOMPUTED],
    ids=[case[0] for case in RECOMPUTED],
)
def test_its_own_qualifying_step_recomputes_the_deadline_from_the_start_not_from_the_step(
    app, client, users, started_at, headcount, due
):
    visitor = submit_contact_step(client, "anna@example.nl")
    lead_id = lead_id_by_email(app, "anna@example.nl")
    restart_running_clock(app, lead_id, started_at)

    visitor.post({"sector": "ict", "headcount": headcount})

    (clock,) = clocks_of(app, lead_id)
    assert (clock.started_at, clock.respond_by) == (started_at, due)
    assert stored_lead(app, lead_id).respond_by == due
    assert clock.stopped_at is None


def test_a_large_firm_is_due_an_hour_after_its_contact_step(app, client, users):
    visitor = submit_contact_step(client, "anna@example.nl")
    lead_id = lead_id_by_email(app, "anna@example.nl")
    (unknown,) = clocks_of(app, lead_id)

    visitor.post({"sector": "ict", "headcount": "250-999"})

    (large,) = clocks_of(app, lead_id)
    assert (unknown.size_class, unknown.target_minutes) == (None, 480)
    assert (large.size_class, large.target_minutes) == ("large", 60)
    assert large.started_at == unknown.started_at
    assert open_time_between(large.started_at, large.respond_by) == HOUR


def test_a_lead_disqualified_by_its_qualifying_step_stops_its_clock(app, client, users):
    visitor = submit_contact_step(client, "klein@example.nl")
    visitor.post({"sector": "ict", "headcount": "2-9"})

    lead_id = lead_id_by_email(app, "klein@example.nl")
    (clock,) = clocks_of(app, lead_id)
    assert stored_lead(app, lead_id).respond_by is None
    assert clock.stopped_because == "moved" and clock.stopped_at is not None


def test_answers_whose_size_class_has_no_target_take_the_running_clock_away(app, users):
    with app.app_context():
        targets = {**DEFAULT_TARGETS, "nurture": {None: 40 * HOUR}}
        save_targets(ResponseTargets(targets), user_id=None)
        db.session.commit()
    visitor = Visitor(app.test_client())
    visitor.open("demo-ebook")
    visitor.post({**CONTACT, "email": "jan@example.nl", "consent": "y"})
    lead_id = lead_id_by_email(app, "jan@example.nl")
    (unknown,) = clocks_of(app, lead_id)

    visitor.post({"sector": "ict", "headcount": "50-99"})

    assert (unknown.list, unknown.size_class) == ("nurture", None)
    assert stored_lead(app, lead_id).list == "nurture"
    assert stored_lead(app, lead_id).respond_by is None
    assert clocks_of(app, lead_id) == []


def test_a_returning_opportunity_keeps_its_running_clock(app, client, users):
    Visitor(app.test_client()).submit("demo-contact")
    lead_id = lead_id_by_email(app, CONTACT["email"])
    (first,) = clocks_of(app, lead_id)

    Visitor(app.test_client()).submit("demo-contact")

    (again,) = clocks_of(app, lead_id)
    assert (again.id, again.respond_by, again.stopped_at) == (first.id, first.respond_by, None)


def test_a_lead_entered_by_hand_as_an_opportunity_gets_a_clock(app, client, auth):
    auth.login("sales")
    page = client.get("/sales/leads/new").get_data(as_text=True)
    card = {
        "email": "marleen@drukkerij-visser.nl",
        "name": "Marleen Visser",
        "company": "Drukkerij Visser",
        "sector": "manufacturing",
        "headcount": "250-999",
        "role": "owner",
        "interest": "demo",
        "channel": "manual",
    }
    assert client.post("/sales/leads/new", data={**page_inputs(page), **card}).status_code == 302

    lead_id = lead_id_by_email(app, card["email"])
    (clock,) = clocks_of(app, lead_id)
    assert (clock.list, clock.size_class, clock.stopped_at) == ("opportunity", "large", None)
    assert stored_lead(app, lead_id).respond_by == clock.respond_by


# Stopping and starting again


@pytest.fixture
def opportunity(app, users):
    """A contact form's opportunity, its clock running; the sales person owns it."""
    Visitor(app.test_client()).submit("demo-contact")
    return lead_id_by_email(app, CONTACT["email"])


STOPS = [
    ("contacted", {}, "contacted"),
    ("move", {"to_list": "nurture"}, "moved"),
    ("move", {"to_list": "disqualified", "other_reason": "A competitor"}, "moved"),
    ("outcome", {"outcome": "won"}, "won"),
    ("outcome", {"outcome": "lost"}, "lost"),
]


@pytest.mark.parametrize(
    ("action", "fields", "because"),
    STOPS,
    ids=["contacted", "moved to nurture", "disqualified", "won", "lost"],
)
def test_contacting_moving_winning_or_losing_the_lead_stops_its_clock(
    app, client, auth, users, opportunity, action, fields, because
):
    auth.login("sales")

    answer = act(client, opportunity, action, **fields)

    assert answer.status_code == 303
    (clock,) = clocks_of(app, opportunity)
    assert stored_lead(app, opportunity).respond_by is None
    assert clock.stopped_because == because and clock.stopped_at is not None
    assert clock.owner_id == users["sales"][0]


@pytest.mark.parametrize(
    ("action", "fields", "because"),
    STOPS,
    ids=["contacted", "moved to nurture", "disqualified", "won", "lost"],
)
def test_an_answer_keeps_the_business_time_it_took_and_a_move_none(
    app, client, auth, users, opportunity, action, fields, because
):
    # Started last Friday at 16:30 local: the evening and the weekend count nothing.
    started = utcnow().astimezone(AMSTERDAM) - timedelta(days=7)
    started = started.replace(hour=16, minute=30) - timedelta(days=(started.weekday() - 4) % 7)
    restart_running_clock(app, opportunity, started)
    auth.login("sales")

    act(client, opportunity, action, **fields)

    (clock,) = clocks_of(app, opportunity)
    took = open_time_between(started, clock.stopped_at) // timedelta(minutes=1)
    if because == "moved":
        assert clock.response_minutes is None
    else:
        assert clock.response_minutes == took
        assert took >= 30  # the Friday's last half hour at least


def move(client, lead_id: int, to_list: str) -> None:
    assert act(client, lead_id, "move", to_list=to_list).status_code == 303


def test_each_entry_into_opportunity_starts_a_new_clock(app, client, auth, opportunity):
    auth.login("sales")

    move(client, opportunity, "nurture")
    move(client, opportunity, "opportunity")

    first, second = clocks_of(app, opportunity)
    assert first.stopped_because == "moved"
    assert second.stopped_at is None and second.started_at >= first.stopped_at
    assert stored_lead(app, opportunity).respond_by == second.respond_by


def test_pinning_an_opportunity_where_it_is_keeps_its_clock(app, client, auth, opportunity):
    auth.login("sales")

    move(client, opportunity, "opportunity")

    (clock,) = clocks_of(app, opportunity)
    assert clock.stopped_at is None


def test_mark_contacted_stops_the_new_clock_and_keeps_the_first_response(
    app, client, auth, opportunity
):
    auth.login("sales")
    act(client, opportunity, "contacted")
    first_response = stored_lead(app, opportunity).first_response_at
    move(client, opportunity, "nurture")
    move(client, opportunity, "opportunity")
    page = client.get(f"/sales/leads/{opportunity}").get_data(as_text=True)

    answer = act(client, opportunity, "contacted")

    assert "Mark contacted" in page
    assert "Marked contacted." in client.get(answer.headers["Location"]).get_data(as_text=True)
    lead = stored_lead(app, opportunity)
    assert (lead.first_response_at, lead.respond_by) == (first_response, None)
    assert [clock.stopped_because for clock in clocks_of(app, opportunity)] == [
        "contacted",
        "contacted",
    ]


# Nurture and re-routing


def test_a_nurture_lead_gets_no_clock_by_default(app, client, users):
    Visitor(client).submit("demo-ebook", contact={"email": "jan@example.nl"})

    lead_id = lead_id_by_email(app, "jan@example.nl")
    assert stored_lead(app, lead_id).list == "nurture"
    assert stored_lead(app, lead_id).respond_by is None
    assert clocks_of(app, lead_id) == []


def test_with_a_nurture_target_a_nurture_lead_gets_a_clock_that_asking_for_contact_replaces(
    app, users
):
    with app.app_context():
        targets = {**DEFAULT_TARGETS, "nurture": {size: 40 * HOUR for size in SIZE_CLASSES}}
        save_targets(ResponseTargets(targets), user_id=None)
        db.session.commit()
    Visitor(app.test_client()).submit("demo-ebook", contact={"email": "jan@example.nl"})
    lead_id = lead_id_by_email(app, "jan@example.nl")
    (nurture,) = clocks_of(app, lead_id)

    Visitor(app.test_client()).submit("demo-contact", contact={"email": "jan@example.nl"})

    first, second = clocks_of(app, lead_id)
    assert (nurture.list, nurture.target_minutes) == ("nurture", 40 * 60)
    assert (first.list, first.stopped_because) == ("nurture", "moved")
    assert (second.list, second.stopped_at) == ("opportunity", None)
    assert stored_lead(app, lead_id).respond_by == second.respond_by


def test_re_routing_a_lead_into_opportunity_starts_its_clock(app):
    with app.app_context():
        lead = routed_lead(headcount="100-249", intents=("medium",))
        db.session.commit()
        lead_id, before = lead.id, lead.list

        reroute_leads(replace(DEFAULT_RULES, opportunity_threshold=1), because="Rules changed")

    assert before == "nurture"
    (clock,) = clocks_of(app, lead_id)
    assert (clock.list, clock.size_class, clock.target_minutes) == ("opportunity", "medium", 240)
    assert open_time_between(clock.started_at, clock.respond_by) == 4 * HOUR
    assert stored_lead(app, lead_id).respond_by == clock.respond_by


def test_re_routing_a_lead_out_of_opportunity_stops_its_clock(app):
    with app.app_context():
        lead = routed_lead(headcount="10-49", intents=("high",))
        store_clock(lead, start_clock(lead, amsterdam(2026, 11, 18, 10)))
        db.session.commit()
        lead_id = lead.id

        reroute_leads(replace(DEFAULT_RULES, min_headcount="50-99"), because="Rules changed")

    (clock,) = clocks_of(app, lead_id)
    assert stored_lead(app, lead_id).list == "disqualified"
    assert stored_lead(app, lead_id).respond_by is None
    assert clock.stopped_because == "moved"


# The CSV, a person's data


def test_the_csv_says_when_a_lead_needs_its_answer(app, client, auth, opportunity):
    with app.app_context():
        make_lead(list="nurture", name="Without a clock")
        db.session.commit()
    due = stored_lead(app, opportunity).respond_by
    auth.login("sales")

    answer = client.get("/sales/export.csv")

    rows = {
        row["name"]: row["respond_by"]
        for row in csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff")))
    }
    assert rows == {
        CONTACT["name"]: due.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Without a clock": "",
    }


def test_a_persons_export_holds_their_clocks_and_erasing_them_deletes_the_clocks(app, opportunity):
    with app.app_context():
        exported = person_export(db.session.get(Lead, opportunity))
        erase_by_request(opportunity)

    (clock,) = exported["response_clocks"]
    assert clock["list"] == "opportunity" and clock["respond_by"]
    with app.app_context():
        assert db.session.scalars(db.select(ResponseClock)).all() == []
