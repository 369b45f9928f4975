"""Business time counts only the hours the business is open, in Amsterdam:
evenings, weekends, Dutch public holidays and the DST changes included."""

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from capture.domain.business_time import (
    CLOSES_BEFORE_OPENING,
    DEFAULT_HOURS,
    NEVER_OPEN,
    NO_HOLIDAYS,
    NO_OPEN_DAY,
    ONE_ENTRY_PER_WEEKDAY,
    BusinessHours,
    BusinessTimeProblem,
    add_business_time,
    business_time_between,
    hours_from_dict,
    hours_to_dict,
)
from capture.leads.business_calendar import dutch_holidays, is_dutch_holiday

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OFFICE = (time(9), time(17))
# Also open on Saturday morning.
WITH_SATURDAY = BusinessHours((OFFICE,) * 5 + ((time(10), time(14)), None))
# Open only on Sunday night, across the hour the clocks change.
SUNDAY_NIGHT = BusinessHours((None,) * 6 + ((time(0), time(6)),))
# Opening at a wall time the spring change skips (02:00-03:00 does not exist on 29 March 2026).
SUNDAY_IN_THE_GAP = BusinessHours((None,) * 6 + ((time(2, 30), time(4)),))


def at(when: str) -> datetime:
    """`Fri 2026-06-12 16:30` in Amsterdam; the weekday is checked, so the tables cannot lie."""
    weekday, day, clock = when.split()
    moment = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)
    assert moment.strftime("%a") == weekday, f"{day} is a {moment:%A}"
    return moment


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def add(start: str, duration: timedelta, hours=DEFAULT_HOURS, holiday=is_dutch_holiday):
    return add_business_time(at(start), duration, hours, holiday, AMSTERDAM)


def between(a: str, b: str, hours=DEFAULT_HOURS, holiday=is_dutch_holiday) -> timedelta:
    return business_time_between(at(a), at(b), hours, holiday, AMSTERDAM)


# Each row: the start, the business time, the moment it has passed (default hours, Dutch holidays).
ADD_TABLE = [
    pytest.param(
        "Fri 2026-06-12 16:30", hours(1), "Mon 2026-06-15 09:30", id="the issue's example"
    ),
    pytest.param("Tue 2026-06-09 10:00", hours(1), "Tue 2026-06-09 11:00", id="within the hours"),
    pytest.param("Tue 2026-06-09 19:00", hours(1), "Wed 2026-06-10 10:00", id="evening"),
    pytest.param("Wed 2026-06-10 03:00", hours(1), "Wed 2026-06-10 10:00", id="night"),
    pytest.param("Wed 2026-06-10 08:59", hours(1), "Wed 2026-06-10 10:00", id="before opening"),
    pytest.param(
        "Wed 2026-06-10 09:00", hours(1), "Wed 2026-06-10 10:00", id="at the opening minute"
    ),
    pytest.param(
        "Wed 2026-06-10 17:00", hours(1), "Thu 2026-06-11 10:00", id="at the closing minute"
    ),
    pytest.param("Wed 2026-06-10 16:00", hours(1), "Wed 2026-06-10 17:00", id="ends at closing"),
    pytest.param("Wed 2026-06-10 16:59", hours(1), "Thu 2026-06-11 09:59", id="a minute to close"),
    pytest.param("Wed 2026-06-10 13:00", hours(8), "Thu 2026-06-11 13:00", id="8 h from 13:00"),
    pytest.param("Sat 2026-06-13 11:00", hours(4), "Mon 2026-06-15 13:00", id="saturday"),
    pytest.param("Sun 2026-06-14 23:30", hours(8), "Mon 2026-06-15 17:00", id="sunday night"),
    pytest.param("Mon 2026-06-08 10:00", hours(40), "Mon 2026-06-15 10:00", id="a working week"),
    pytest.param("Thu 2026-06-11 15:00", hours(20), "Tue 2026-06-16 11:00", id="over a weekend"),
    pytest.param("Tue 2026-06-09 10:00", hours(0), "Tue 2026-06-09 10:00", id="nothing, open"),
    pytest.param("Sat 2026-06-13 10:00", hours(0), "Mon 2026-06-15 09:00", id="nothing, closed"),
    # Dutch public holidays, as the `holidays` package lists them.
    pytest.param("Fri 2026-04-24 16:30", hours(1), "Tue 2026-04-28 09:30", id="king's day 2026"),
    pytest.param("Mon 2026-04-27 10:00", hours(1), "Tue 2026-04-28 10:00", id="on king's day"),
    pytest.param("Mon 2027-04-26 16:00", hours(2), "Wed 2027-04-28 10:00", id="king's day 2027"),
    pytest.param("Thu 2026-12-24 16:30", hours(1), "Mon 2026-12-28 09:30", id="christmas 2026"),
    pytest.param("Wed 2025-12-24 16:00", hours(4), "Mon 2025-12-29 12:00", id="christmas 2025"),
    pytest.param("Thu 2026-12-31 16:30", hours(1), "Mon 2027-01-04 09:30", id="new year 2027"),
    pytest.param("Wed 2025-12-31 17:00", hours(1), "Fri 2026-01-02 10:00", id="new year 2026"),
    pytest.param("Thu 2026-04-02 16:30", hours(1), "Tue 2026-04-07 09:30", id="easter 2026"),
    pytest.param("Sat 2026-04-04 12:00", hours(1), "Tue 2026-04-07 10:00", id="easter monday"),
    pytest.param("Wed 2026-05-13 16:00", hours(2), "Fri 2026-05-15 10:00", id="ascension 2026"),
    pytest.param("Wed 2027-05-05 16:00", hours(2), "Fri 2027-05-07 10:00", id="ascension 2027"),
    pytest.param(
        "Fri 2025-05-02 16:30", hours(1), "Tue 2025-05-06 09:30", id="liberation day 2025"
    ),
    pytest.param(
        "Mon 2026-05-04 16:30", hours(1), "Tue 2026-05-05 09:30", id="5 may 2026 is no holiday"
    ),
    pytest.param("Fri 2026-05-22 16:30", hours(1), "Tue 2026-05-26 09:30", id="whit monday 2026"),
    pytest.param("Fri 2027-05-14 16:30", hours(1), "Tue 2027-05-18 09:30", id="whit monday 2027"),
    # The DST changes: 29 March and 25 October 2026 (and 28 March 2027, Easter weekend).
    pytest.param(
        "Mon 2026-03-30 09:00", hours(1), "Mon 2026-03-30 10:00", id="monday after spring"
    ),
    pytest.param("Fri 2026-03-27 16:30", hours(1), "Mon 2026-03-30 09:30", id="over spring change"),
    pytest.param("Fri 2026-03-27 13:00", hours(8), "Mon 2026-03-30 13:00", id="8 h over spring"),
    pytest.param(
        "Mon 2026-10-26 09:00", hours(8), "Mon 2026-10-26 17:00", id="monday after autumn"
    ),
    pytest.param("Fri 2026-10-23 16:30", hours(1), "Mon 2026-10-26 09:30", id="over autumn change"),
    pytest.param(
        "Sun 2026-10-25 02:30", hours(1), "Mon 2026-10-26 10:00", id="in the repeated hour"
    ),
    pytest.param(
        "Thu 2027-03-25 16:30", hours(1), "Tue 2027-03-30 09:30", id="easter and dst 2027"
    ),
]


@pytest.mark.parametrize(("start", "duration", "due"), ADD_TABLE)
def test_business_time_counts_only_open_hours(start, duration, due):
    moment = add(start, duration)
    assert moment == at(due)
    assert moment.tzinfo is UTC


@pytest.mark.parametrize(("start", "duration", "due"), ADD_TABLE)
def test_the_open_time_between_start_and_due_is_the_duration(start, duration, due):
    assert between(start, due) == duration


# Each row: other business hours, the start, the business time, the moment it has passed.
OTHER_HOURS_TABLE = [
    pytest.param(
        WITH_SATURDAY,
        "Fri 2025-05-02 16:30",
        hours(1),
        "Sat 2025-05-03 10:30",
        id="open on saturday morning",
    ),
    pytest.param(
        WITH_SATURDAY,
        "Sat 2025-05-10 13:00",
        hours(2),
        "Mon 2025-05-12 10:00",
        id="saturday closes at 14:00",
    ),
    pytest.param(
        WITH_SATURDAY,
        "Fri 2025-04-25 16:30",
        hours(1),
        "Mon 2025-04-28 09:30",
        id="king's day 2025 falls on saturday 26 april",
    ),
    pytest.param(
        SUNDAY_NIGHT,
        "Sun 2026-03-29 00:00",
        hours(5),
        "Sun 2026-03-29 06:00",
        id="the spring night is an hour short",
    ),
    pytest.param(
        SUNDAY_NIGHT,
        "Sun 2026-10-25 00:00",
        hours(7),
        "Sun 2026-10-25 06:00",
        id="the autumn night is an hour long",
    ),
    pytest.param(
        SUNDAY_NIGHT,
        "Sun 2026-03-22 05:00",
        hours(2),
        "Sun 2026-03-29 01:00",
        id="from one sunday night to the next",
    ),
    pytest.param(
        SUNDAY_IN_THE_GAP,
        "Sun 2026-03-29 00:00",
        timedelta(minutes=30),
        "Sun 2026-03-29 04:00",
        id="opening in the skipped hour reads as the clocks before it (03:30)",
    ),
]


@pytest.mark.parametrize(("business_hours", "start", "duration", "due"), OTHER_HOURS_TABLE)
def test_other_business_hours_count_the_same_way(business_hours, start, duration, due):
    assert add(start, duration, business_hours) == at(due)
    assert between(start, due, business_hours) == duration


# Each row: two moments and the open business time between them (default hours, Dutch holidays).
BETWEEN_TABLE = [
    pytest.param("Tue 2026-06-09 10:00", "Tue 2026-06-09 10:00", hours(0), id="no time"),
    pytest.param("Sat 2026-06-13 10:00", "Sun 2026-06-14 20:00", hours(0), id="a weekend"),
    pytest.param("Wed 2026-06-10 08:00", "Wed 2026-06-10 20:00", hours(8), id="a whole day"),
    pytest.param("Tue 2026-06-09 18:00", "Wed 2026-06-10 08:00", hours(0), id="a night"),
    pytest.param("Mon 2026-06-08 09:00", "Mon 2026-06-15 09:00", hours(40), id="a week"),
    pytest.param("Thu 2026-04-02 00:00", "Wed 2026-04-08 00:00", hours(16), id="easter week"),
    pytest.param("Mon 2026-04-27 09:00", "Mon 2026-04-27 17:00", hours(0), id="king's day"),
    # December 2026: 23 weekdays, Christmas (Friday 25th) off; 26th is a Saturday.
    pytest.param("Tue 2026-12-01 00:00", "Fri 2027-01-01 00:00", hours(22 * 8), id="december"),
    pytest.param("Fri 2026-03-27 00:00", "Tue 2026-03-31 00:00", hours(16), id="spring weekend"),
    pytest.param("Fri 2026-10-23 00:00", "Tue 2026-10-27 00:00", hours(16), id="autumn weekend"),
]


@pytest.mark.parametrize(("a", "b", "open_time"), BETWEEN_TABLE)
def test_business_time_between_two_moments(a, b, open_time):
    assert between(a, b) == open_time


@pytest.mark.parametrize(("a", "b", "open_time"), BETWEEN_TABLE)
def test_business_time_between_is_negative_when_the_order_is_reversed(a, b, open_time):
    assert between(b, a) == -open_time


def test_the_tables_are_not_empty():
    assert ADD_TABLE and OTHER_HOURS_TABLE and BETWEEN_TABLE and DUTCH_HOLIDAYS


SWEEP_DURATIONS = [timedelta(minutes=1), hours(1), hours(4), hours(8), hours(9.5), hours(80)]


@pytest.mark.parametrize(
    "week_start",
    ["Mon 2026-03-23 00:00", "Mon 2026-10-19 00:00", "Mon 2026-12-21 00:00"],
    ids=["spring change", "autumn change", "christmas and new year"],
)
@pytest.mark.parametrize("business_hours", [DEFAULT_HOURS, WITH_SATURDAY], ids=["mon-fri", "sat"])
def test_adding_then_measuring_gives_back_the_duration(week_start, business_hours):
    """Every 20 minutes through a hard week, each duration added is the
    business time measured back, and the end lies within the open hours."""
    first = at(week_start)
    starts = [first + timedelta(minutes=20 * n) for n in range(7 * 24 * 3)]
    for start in starts:
        for duration in SWEEP_DURATIONS:
            due = add_business_time(start, duration, business_hours, is_dutch_holiday, AMSTERDAM)
            measured = business_time_between(
                start, due, business_hours, is_dutch_holiday, AMSTERDAM
            )
            assert measured == duration, (start, duration, due)
            local = due.astimezone(AMSTERDAM)
            opening = business_hours.on(local.date())
            assert opening is not None and not is_dutch_holiday(local.date())
            assert opening[0] < local.time() <= opening[1], (start, duration, due)


# The holidays the tables above rely on: the `holidays` package must really list them.
DUTCH_HOLIDAYS = [
    pytest.param(date(2025, 4, 26), id="king's day 2025, moved from sunday the 27th"),
    pytest.param(date(2026, 4, 27), id="king's day 2026"),
    pytest.param(date(2027, 4, 27), id="king's day 2027"),
    pytest.param(date(2025, 12, 25), id="christmas 2025"),
    pytest.param(date(2025, 12, 26), id="second day of christmas 2025"),
    pytest.param(date(2026, 12, 25), id="christmas 2026"),
    pytest.param(date(2026, 1, 1), id="new year 2026"),
    pytest.param(date(2027, 1, 1), id="new year 2027"),
    pytest.param(date(2026, 4, 3), id="good friday 2026"),
    pytest.param(date(2026, 4, 6), id="easter monday 2026"),
    pytest.param(date(2027, 3, 29), id="easter monday 2027"),
    pytest.param(date(2026, 5, 14), id="ascension 2026"),
    pytest.param(date(2027, 5, 6), id="ascension 2027"),
    pytest.param(date(2026, 5, 25), id="whit monday 2026"),
    pytest.param(date(2025, 5, 5), id="liberation day 2025 (off every fifth year)"),
    pytest.param(date(2027, 5, 17), id="whit monday 2027"),
]


@pytest.mark.parametrize("day", DUTCH_HOLIDAYS)
def test_the_holidays_package_lists_the_dutch_holiday(day):
    assert day in holidays.country_holidays("NL", years=day.year)
    assert day in dutch_holidays([day.year])
    assert is_dutch_holiday(day)


@pytest.mark.parametrize(
    "day",
    [date(2025, 4, 27), date(2026, 12, 24), date(2026, 5, 5), date(2026, 6, 12)],
    ids=["king's day 2025 is not on the sunday", "christmas eve", "5 may 2026", "a friday"],
)
def test_an_ordinary_day_is_no_holiday(day):
    assert not is_dutch_holiday(day)


@pytest.mark.parametrize(
    "holiday",
    [
        is_dutch_holiday,
        dutch_holidays([2026, 2027]),
        holidays.country_holidays("NL", years=[2026, 2027]),
    ],
    ids=["a predicate", "a set of dates", "the package's own dict"],
)
def test_holidays_come_as_a_predicate_or_a_set_of_dates(holiday):
    due = add_business_time(at("Thu 2026-12-24 16:30"), hours(1), DEFAULT_HOURS, holiday, AMSTERDAM)
    assert due == at("Mon 2026-12-28 09:30")


def test_without_holidays_christmas_is_a_working_day():
    assert add("Thu 2026-12-24 16:30", hours(1), holiday=NO_HOLIDAYS) == at("Fri 2026-12-25 09:30")


def test_a_moment_in_another_zone_is_the_same_moment():
    start = at("Fri 2026-06-12 16:30").astimezone(UTC)
    due = add_business_time(start, hours(1), DEFAULT_HOURS, is_dutch_holiday, AMSTERDAM)
    assert due == at("Mon 2026-06-15 09:30")


@pytest.mark.parametrize(
    ("start", "duration"),
    [
        (datetime(2026, 6, 12, 16, 30), hours(1)),
        (at("Fri 2026-06-12 16:30"), hours(-1)),
    ],
    ids=["a naive start", "a negative duration"],
)
def test_business_time_refuses_what_it_cannot_count(start, duration):
    with pytest.raises(ValueError):
        add_business_time(start, duration, DEFAULT_HOURS, is_dutch_holiday, AMSTERDAM)


def test_business_time_between_refuses_a_naive_moment():
    with pytest.raises(ValueError):
        business_time_between(
            datetime(2026, 6, 12, 9), at("Fri 2026-06-12 10:00"), DEFAULT_HOURS, set(), AMSTERDAM
        )


def test_a_business_that_never_opens_is_an_error_not_an_endless_loop():
    with pytest.raises(BusinessTimeProblem, match=re.escape(NEVER_OPEN)):
        add("Fri 2026-06-12 16:30", hours(1), holiday=lambda day: True)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ((OFFICE,) * 4 + ((time(17), time(9)),) + (None, None), CLOSES_BEFORE_OPENING),
        ((OFFICE,) * 4 + ((time(9), time(9)),) + (None, None), CLOSES_BEFORE_OPENING),
        ((None,) * 7, NO_OPEN_DAY),
        ((OFFICE,) * 5, ONE_ENTRY_PER_WEEKDAY),
    ],
    ids=["closes before it opens", "closes as it opens", "never open", "five days"],
)
def test_business_hours_that_make_no_sense_are_refused_with_a_clear_message(days, message):
    with pytest.raises(BusinessTimeProblem) as refused:
        BusinessHours(days)
    assert str(refused.value) == message


def test_default_business_hours_are_monday_to_friday_nine_to_five():
    assert [DEFAULT_HOURS.on(date(2026, 6, 8) + timedelta(days=n)) for n in range(7)] == [
        OFFICE
    ] * 5 + [None, None]


@pytest.mark.parametrize("business_hours", [DEFAULT_HOURS, WITH_SATURDAY, SUNDAY_IN_THE_GAP])
def test_business_hours_survive_storage_as_json(business_hours):
    stored = json.loads(json.dumps(hours_to_dict(business_hours)))
    assert hours_from_dict(stored) == business_hours


def test_business_hours_are_stored_by_weekday_name():
    assert hours_to_dict(WITH_SATURDAY)["saturday"] == ["10:00:00", "14:00:00"]
    assert hours_to_dict(WITH_SATURDAY)["sunday"] is None


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({}, DEFAULT_HOURS),
        ({"saturday": ["10:00", "14:00"]}, WITH_SATURDAY),
        ({"saturday": ["ten", "two"]}, DEFAULT_HOURS),
        ({"saturday": "10:00"}, DEFAULT_HOURS),
        ({"monday": ["17:00", "09:00"]}, DEFAULT_HOURS),
        ({day: None for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}, None),
    ],
    ids=["nothing stored", "a day opened", "not times", "not a pair", "backwards", "all closed"],
)
def test_stored_hours_never_fail_to_load(stored, expected):
    assert hours_from_dict(stored) == (expected or DEFAULT_HOURS)
