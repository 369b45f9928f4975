"""Triage: the size class and the list give the response target, and
`respond_by` counts it in business hours from the moment the lead became an opportunity."""

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from capture.domain.business_time import DEFAULT_HOURS, BusinessHours
from capture.domain.triage import (
    LIST_WITHOUT_TARGETS,
    NOT_A_SIZE_CLASS,
    TARGET_NOT_POSITIVE,
    TARGET_NOT_WHOLE_MINUTES,
    TARGET_TOO_LONG,
    TARGETS,
    ResponseTargets,
    TriageProblem,
    respond_by,
    target_for,
    targets_from_dict,
    targets_to_dict,
)
from capture.domain.vocabulary import HEADCOUNT_BANDS, size_class
from capture.leads.business_calendar import is_dutch_holiday

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
H = timedelta(hours=1)
WITH_SATURDAY = BusinessHours(((time(9), time(17)),) * 5 + ((time(10), time(14)), None))
# The admin answers nurture leads too, within two days, and large firms within 30 minutes.
CUSTOM = ResponseTargets(
    {
        "opportunity": {"large": timedelta(minutes=30), "medium": 4 * H, "small": 8 * H},
        "nurture": {"large": 16 * H, "medium": 16 * H},
    }
)


def at(when: str) -> datetime:
    """`Fri 2026-06-12 16:30` in Amsterdam; the weekday is checked, so the tables cannot lie."""
    weekday, day, clock = when.split()
    moment = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)
    assert moment.strftime("%a") == weekday, f"{day} is a {moment:%A}"
    return moment


# Each row: the list, the headcount band, the default target (None: no target).
TARGET_TABLE = [
    pytest.param("opportunity", "1000+", 1 * H, id="opportunity, large (1000+)"),
    pytest.param("opportunity", "250-999", 1 * H, id="opportunity, large (250-999)"),
    pytest.param("opportunity", "100-249", 4 * H, id="opportunity, medium (100-249)"),
    pytest.param("opportunity", "50-99", 4 * H, id="opportunity, medium (50-99)"),
    pytest.param("opportunity", "10-49", 8 * H, id="opportunity, small (10-49)"),
    pytest.param("opportunity", "2-9", 8 * H, id="opportunity, small (2-9)"),
    pytest.param("opportunity", "1", 8 * H, id="opportunity, small (1)"),
    pytest.param("opportunity", None, 8 * H, id="opportunity, size unknown"),
    pytest.param("opportunity", "lots", 8 * H, id="opportunity, a band no longer known"),
    *(pytest.param("nurture", band, None, id=f"nurture, {band}") for band in HEADCOUNT_BANDS),
    pytest.param("nurture", None, None, id="nurture, size unknown"),
    pytest.param("disqualified", "1000+", None, id="disqualified"),
]


def test_the_tables_are_not_empty():
    assert TARGET_TABLE and RESPOND_BY_TABLE and REFUSED_TARGETS


@pytest.mark.parametrize(("list_name", "headcount", "target"), TARGET_TABLE)
def test_the_default_target_by_list_and_size_class(list_name, headcount, target):
    assert target_for(list_name, size_class(headcount)) == target
    assert target_for(list_name, size_class(headcount), TARGETS) == target


@pytest.mark.parametrize(
    ("list_name", "size", "target"),
    [
        ("opportunity", "large", timedelta(minutes=30)),
        ("opportunity", None, None),
        ("nurture", "large", 16 * H),
        ("nurture", "small", None),
        ("disqualified", "large", None),
    ],
)
def test_the_admins_targets_replace_the_defaults(list_name, size, target):
    assert target_for(list_name, size, CUSTOM) == target


# Each row: when the lead became an opportunity, its headcount band, when it needs an answer.
RESPOND_BY_TABLE = [
    pytest.param("Fri 2026-06-12 16:30", "1000+", "Mon 2026-06-15 09:30", id="the issue's example"),
    pytest.param("Fri 2026-06-12 16:30", "50-99", "Mon 2026-06-15 12:30", id="medium on friday"),
    pytest.param("Fri 2026-06-12 16:30", "2-9", "Mon 2026-06-15 16:30", id="small on friday"),
    pytest.param("Fri 2026-06-12 16:30", None, "Mon 2026-06-15 16:30", id="unknown on friday"),
    pytest.param("Tue 2026-06-09 10:15", "250-999", "Tue 2026-06-09 11:15", id="large, in hours"),
    pytest.param("Tue 2026-06-09 21:00", "250-999", "Wed 2026-06-10 10:00", id="large, evening"),
    pytest.param("Wed 2026-06-10 13:00", "10-49", "Thu 2026-06-11 13:00", id="small from 13:00"),
    pytest.param("Fri 2026-04-24 16:30", "1000+", "Tue 2026-04-28 09:30", id="king's day"),
    pytest.param("Thu 2026-12-24 16:30", "1000+", "Mon 2026-12-28 09:30", id="christmas"),
    pytest.param("Fri 2026-03-27 16:30", "1000+", "Mon 2026-03-30 09:30", id="spring dst change"),
    pytest.param("Fri 2026-10-23 16:30", "100-249", "Mon 2026-10-26 12:30", id="autumn dst change"),
]


@pytest.mark.parametrize(("became_opportunity", "headcount", "due"), RESPOND_BY_TABLE)
def test_respond_by_counts_the_target_in_business_hours(became_opportunity, headcount, due):
    moment = respond_by(
        at(became_opportunity), headcount, TARGETS, DEFAULT_HOURS, is_dutch_holiday, AMSTERDAM
    )
    assert moment == at(due)
    assert moment.tzinfo is UTC


def test_respond_by_uses_the_business_hours_given():
    moment = respond_by(
        at("Fri 2026-06-12 16:30"), "1000+", TARGETS, WITH_SATURDAY, is_dutch_holiday, AMSTERDAM
    )
    assert moment == at("Sat 2026-06-13 10:30")


def test_a_nurture_lead_has_no_respond_by_unless_the_admin_sets_a_target():
    became_nurture = at("Mon 2026-06-08 09:00")
    args = (DEFAULT_HOURS, is_dutch_holiday, AMSTERDAM)
    assert respond_by(became_nurture, "1000+", TARGETS, *args, list_name="nurture") is None
    assert respond_by(became_nurture, "1000+", CUSTOM, *args, list_name="nurture") == at(
        "Tue 2026-06-09 17:00"
    )
    assert respond_by(became_nurture, "1", CUSTOM, *args, list_name="nurture") is None


def test_an_opportunity_without_a_target_has_no_respond_by():
    args = (DEFAULT_HOURS, is_dutch_holiday, AMSTERDAM)
    assert respond_by(at("Mon 2026-06-08 09:00"), None, CUSTOM, *args) is None


# Each row: targets the admin cannot set, and what they are told.
REFUSED_TARGETS = [
    pytest.param({"opportunity": {"large": timedelta(0)}}, TARGET_NOT_POSITIVE, id="zero"),
    pytest.param({"opportunity": {"large": -H}}, TARGET_NOT_POSITIVE, id="negative"),
    pytest.param({"opportunity": {"small": 41 * H}}, TARGET_TOO_LONG, id="over five days"),
    pytest.param(
        {"opportunity": {"small": timedelta(seconds=90)}}, TARGET_NOT_WHOLE_MINUTES, id="seconds"
    ),
    pytest.param({"disqualified": {"large": H}}, LIST_WITHOUT_TARGETS, id="disqualified"),
    pytest.param({"customers": {"large": H}}, LIST_WITHOUT_TARGETS, id="no such list"),
    pytest.param({"opportunity": {"huge": H}}, NOT_A_SIZE_CLASS, id="no such size class"),
]


@pytest.mark.parametrize(("by_list", "message"), REFUSED_TARGETS)
def test_targets_that_make_no_sense_are_refused_with_a_clear_message(by_list, message):
    with pytest.raises(TriageProblem) as refused:
        ResponseTargets(by_list)
    assert str(refused.value) == message


def test_the_longest_target_is_five_business_days():
    assert target_for("opportunity", "small", ResponseTargets({"opportunity": {"small": 40 * H}}))


def test_targets_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        TARGETS.by_list["opportunity"]["large"] = 2 * H  # type: ignore[index]
    assert target_for("opportunity", "large") == H


def test_a_list_left_empty_is_a_list_left_out():
    assert ResponseTargets({"opportunity": {"large": H}, "nurture": {}}) == ResponseTargets(
        {"opportunity": {"large": H}}
    )


def test_a_target_given_as_none_is_no_target():
    targets = ResponseTargets({"opportunity": {"large": H, "small": None}, "nurture": {None: None}})
    assert targets == ResponseTargets({"opportunity": {"large": H}})
    assert target_for("opportunity", "small", targets) is None


def test_the_default_targets_are_stored_as_minutes():
    assert targets_to_dict(TARGETS) == {
        "opportunity": {"large": 60, "medium": 240, "small": 480, "unknown": 480},
        "nurture": {"large": None, "medium": None, "small": None, "unknown": None},
    }


@pytest.mark.parametrize(
    "targets",
    [TARGETS, CUSTOM, ResponseTargets({}), ResponseTargets({"nurture": {None: 40 * H}})],
    ids=["defaults", "the admin's", "none at all", "nurture only"],
)
def test_targets_survive_storage_as_json(targets):
    stored = json.loads(json.dumps(targets_to_dict(targets)))
    assert targets_from_dict(stored) == targets


@pytest.mark.parametrize(
    ("stored", "size", "target"),
    [
        ({}, "large", H),
        ({"opportunity": {"large": 30}}, "large", timedelta(minutes=30)),
        ({"opportunity": {"large": 30}}, "medium", 4 * H),
        ({"opportunity": {"large": None}}, "large", None),
        ({"opportunity": {"large": "soon"}}, "large", H),
        ({"opportunity": {"large": 0}}, "large", H),
        ({"opportunity": {"large": 100_000}}, "large", H),
        ({"opportunity": {"large": True}}, "large", H),
        ({"opportunity": "fast"}, "large", H),
        ({"opportunity": {"unknown": 120}}, None, 2 * H),
        ({"disqualified": {"large": 60}, "colour": "blue"}, "large", H),
    ],
    ids=[
        "nothing stored",
        "a changed target",
        "the others keep theirs",
        "a target switched off",
        "not a number",
        "zero",
        "too long",
        "a boolean",
        "not a mapping",
        "size unknown",
        "unknown keys",
    ],
)
def test_stored_targets_never_fail_to_load(stored, size, target):
    assert target_for("opportunity", size, targets_from_dict(stored)) == target
