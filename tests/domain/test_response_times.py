"""First-response times: which clocks count, median, 90th percentile, share within target."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from capture.domain.response_times import (
    LATE,
    MISSED,
    WITHIN,
    Clock,
    ResponseTimes,
    median,
    minutes_in_words,
    nearest_rank,
    outcome_of,
    response_times,
    response_times_by,
)

NOW = datetime(2026, 10, 14, 12, tzinfo=UTC)
DEADLINE = NOW - timedelta(hours=1)


def answered(minutes: int, target: int = 60) -> Clock:
    return Clock(target, DEADLINE, stopped_at=DEADLINE, response_minutes=minutes)


def running(respond_by: datetime) -> Clock:
    return Clock(60, respond_by)


def moved(stopped_at: datetime) -> Clock:
    return Clock(60, DEADLINE, stopped_at=stopped_at)


@pytest.mark.parametrize(
    ("clock", "outcome"),
    [
        (answered(30), WITHIN),
        (answered(60), WITHIN),  # on the dot is in time
        (answered(61), LATE),
        (answered(0), WITHIN),
        # Answered counts by its business minutes, however late it stopped.
        (Clock(60, DEADLINE, stopped_at=NOW, response_minutes=45), WITHIN),
        (running(NOW + timedelta(minutes=1)), None),  # not yet due: may still be in time
        (running(NOW), None),  # due this moment, not past it
        (running(NOW - timedelta(minutes=1)), MISSED),
        (moved(DEADLINE - timedelta(minutes=1)), None),  # moved away before its deadline
        (moved(DEADLINE), None),
        (moved(DEADLINE + timedelta(minutes=1)), MISSED),  # waited past it, then moved
    ],
)
def test_a_clock_counts_once_its_outcome_is_known(clock, outcome):
    assert outcome_of(clock, NOW) == outcome


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([5], 5),
        ([1, 2], 1.5),
        ([3, 1, 2], 2),
        ([40, 10, 30, 20], 25),
        ([45, 60], 52.5),
    ],
)
def test_the_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones(values, expected):
    assert median(values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([7], 7),
        ([20, 10], 20),  # rank ceil(0.9 * 2) = 2
        (list(range(1, 11)), 9),  # rank 9 of 10
        (list(range(1, 12)), 10),  # rank ceil(9.9) = 10 of 11
        (list(range(1, 21)), 18),
        (list(range(100, 0, -1)), 90),  # order does not matter
        ([5, 5, 5, 500], 500),  # rank ceil(3.6) = 4
    ],
)
def test_the_90th_percentile_is_the_nearest_rank(values, expected):
    assert nearest_rank(values, 90) == expected


def test_the_nearest_rank_is_always_one_of_the_values():
    values = [3, 17, 17, 40, 41, 90, 95]
    for percent in range(1, 101):
        assert nearest_rank(values, percent) in values


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (None, ""),
        (0, "0 min"),
        (45, "45 min"),
        (52.5, "53 min"),  # half a minute up
        (59.4, "59 min"),
        (59.5, "1 h"),
        (120, "2 h"),
        (190, "3 h 10 min"),
        (3120, "52 h"),  # business hours: never days
    ],
)
def test_business_minutes_read_as_minutes_and_hours(minutes, words):
    assert minutes_in_words(minutes) == words


def test_a_group_counts_answered_and_missed_clocks_and_times_only_the_answered():
    clocks = [
        answered(10),
        answered(50),
        answered(90),  # late
        answered(200, target=240),
        running(NOW - timedelta(minutes=5)),  # missed
        running(NOW + timedelta(hours=2)),  # not yet due: left out
        moved(DEADLINE - timedelta(minutes=5)),  # moved in time: left out
    ]

    times = response_times(clocks, NOW)

    assert times == ResponseTimes(
        answered=4, counted=5, within=3, median_minutes=70, p90_minutes=200
    )
    assert times.within_share == Fraction(3, 5)


def test_a_group_without_clocks_has_no_figures():
    times = response_times([], NOW)

    assert times == ResponseTimes(0, 0, 0, None, None)
    assert times.within_share is None


def test_a_missed_clock_alone_counts_but_has_no_time():
    times = response_times([running(DEADLINE)], NOW)

    assert (times.answered, times.counted, times.within) == (0, 1, 0)
    assert times.median_minutes is None and times.p90_minutes is None
    assert times.within_share == 0


def test_figures_per_key_leave_out_keys_with_nothing_counted_and_add_up_to_the_total():
    keyed = [
        ("anna", answered(30)),
        ("anna", answered(90)),
        ("bas", running(NOW - timedelta(minutes=1))),
        ("bas", answered(20)),
        (None, answered(45)),
        ("carla", running(NOW + timedelta(hours=1))),  # nothing known yet
    ]

    by_key, total = response_times_by(keyed, NOW)

    assert by_key == {
        "anna": ResponseTimes(2, 2, 1, 60, 90),
        "bas": ResponseTimes(1, 2, 1, 20, 20),
        None: ResponseTimes(1, 1, 1, 45, 45),
    }
    assert total == ResponseTimes(4, 5, 3, 37.5, 90)
