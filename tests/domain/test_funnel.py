"""The insights' arithmetic: reason groups, costs over periods, waiting times."""

from datetime import date
from fractions import Fraction

import pytest

from capture.domain.funnel import (
    cost_per,
    duration_in_words,
    median_of_counts,
    period_cost,
    reason_group,
    share,
    whole_percent,
)
from capture.domain.periods import Period
from capture.domain.rules import DEFAULT_RULES

SALES_REASONS = DEFAULT_RULES.disqualification_reasons


@pytest.mark.parametrize(
    ("reason", "group"),
    [
        ("Too small: 2-9 employees, the minimum is 10-49", "Too small"),
        ("Too small", "Too small"),  # sales' pick of the same name
        ("Too small: only 3 people", "Too small"),  # a pick with typed words
        ("Too large: 1000+ employees, the maximum is 250-999", "Too large"),
        ("Sector retail is excluded", "Wrong sector"),
        ("Wrong sector", "Wrong sector"),
        ("Not a buyer: role is student", "Not a buyer"),
        ("Disposable e-mail address (mailinator.com)", "Disposable e-mail address"),
        ("Wrong territory: Belgium", "Wrong territory"),
        ("wrong territory", "Wrong territory"),
        ("Competitor", "Competitor"),
        ("Met him at the fair, a reseller", "Other"),
        ("No idea: whatever", "Other"),
        ("", "Other"),
        (None, "Other"),
    ],
)
def test_a_disqualification_reason_counts_under_its_group(reason, group):
    assert reason_group(reason, SALES_REASONS) == group


OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("since", "until", "costs", "expected"),
    [
        # A whole month counts whole.
        (date(2026, 10, 1), date(2026, 10, 31), {OCTOBER: 250000}, Fraction(250000)),
        # 17 of October's 31 days (1,700 of 3,100) and 14 of November's 30
        # (2,800 of 6,000).
        (
            date(2026, 10, 15),
            date(2026, 11, 14),
            {OCTOBER: 310000, NOVEMBER: 600000},
            Fraction(450000),
        ),
        # One day of October.
        (date(2026, 10, 5), date(2026, 10, 5), {OCTOBER: 3100}, Fraction(100)),
        # A month outside the period counts nothing.
        (date(2026, 10, 1), date(2026, 10, 31), {NOVEMBER: 300000}, Fraction(0)),
        # No costs at all.
        (date(2026, 10, 1), date(2026, 10, 31), {}, Fraction(0)),
        # A third of a cent stays exact until it is shown.
        (date(2026, 10, 1), date(2026, 10, 1), {OCTOBER: 100}, Fraction(100, 31)),
    ],
)
def test_the_cost_of_a_period_takes_each_month_by_its_days(since, until, costs, expected):
    assert period_cost(costs, Period("custom", since, until)) == expected


@pytest.mark.parametrize(
    ("cost", "count", "expected"),
    [
        (250000, 100, Fraction(2500)),
        (250000, 6, Fraction(125000, 3)),
        (0, 5, Fraction(0)),
        (250000, 0, None),
        (None, 5, None),
    ],
)
def test_cost_per_divides_over_a_count_and_not_over_nothing(cost, count, expected):
    assert cost_per(cost, count) == expected


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [(1, 8, 13), (57, 200, 29), (1, 3, 33), (2, 3, 67), (1, 200, 1), (0, 5, 0), (3, 0, None)],
)
def test_a_percent_is_whole_with_half_a_percent_up(part, whole, percent):
    assert whole_percent(part, whole) == percent


def test_a_share_of_nothing_is_no_share():
    assert share(1, 4) == Fraction(1, 4)
    assert share(0, 0) is None


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, ""),
        (0, "0 min"),
        (29, "0 min"),
        (30, "1 min"),
        (45 * 60, "45 min"),
        (52.5 * 60, "53 min"),
        (3600, "1 h"),
        (3 * 3600 + 20 * 60, "3 h 20 min"),
        (47 * 3600, "47 h"),
        (48 * 3600, "2 days"),
        (52 * 3600, "2 days 4 h"),
    ],
)
def test_a_waiting_time_reads_in_minutes_hours_or_days(seconds, words):
    assert duration_in_words(seconds) == words


@pytest.mark.parametrize(
    ("counted", "median"),
    [
        ([], None),
        ([(5, 0)], None),
        ([(45, 1)], 45),
        ([(10, 1), (30, 1), (60, 1), (90, 1)], 45),  # even: the mean of the middle two
        ([(90, 1), (10, 1), (60, 1)], 60),  # odd, in any order
        ([(10, 3), (100, 1)], 10),
        ([(10, 2), (100, 2)], 55),
        ([(1, 1), (2, 5), (3, 1)], 2),
    ],
)
def test_the_median_of_counted_values_is_the_middle_one(counted, median):
    assert median_of_counts(counted) == median
