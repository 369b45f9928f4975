"""The insights' periods: presets, custom ranges and the months they touch."""

from datetime import date

import pytest

from capture.domain.periods import Period, days_of_month_in, month_end, months_in, period_from

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("kind", "since", "until", "expected"),
    [
        ("this-month", None, None, ("this-month", date(2026, 11, 1), TODAY)),
        ("last-month", None, None, ("last-month", date(2026, 10, 1), date(2026, 10, 31))),
        ("30d", None, None, ("30d", date(2026, 10, 24), TODAY)),
        ("90d", None, None, ("90d", date(2026, 8, 25), TODAY)),
        (None, None, None, ("30d", date(2026, 10, 24), TODAY)),
        ("forever", None, None, ("30d", date(2026, 10, 24), TODAY)),
        ("custom", "2026-10-01", "2026-10-31", ("custom", date(2026, 10, 1), date(2026, 10, 31))),
        ("custom", "2026-10-31", "2026-10-01", ("custom", date(2026, 10, 1), date(2026, 10, 31))),
        ("custom", None, "2026-10-31", ("custom", date(2026, 10, 2), date(2026, 10, 31))),
        ("custom", "2026-11-01", None, ("custom", date(2026, 11, 1), TODAY)),
        ("custom", "garbage", "2026-02-30", ("custom", date(2026, 10, 24), TODAY)),
        ("custom", "0001-01-01", "2026-11-22", ("custom", date(2026, 10, 24), TODAY)),
        # Cut to its last 3,660 days.
        ("custom", "1990-01-01", "2026-11-22", ("custom", date(2016, 11, 15), TODAY)),
    ],
)
def test_a_period_is_read_from_the_address_and_never_fails(kind, since, until, expected):
    period = period_from(kind, since, until, TODAY)
    assert (period.kind, period.since, period.until) == expected


def test_last_month_in_january_is_december_of_the_year_before():
    period = period_from("last-month", None, None, date(2027, 1, 15))
    assert (period.since, period.until) == (date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("day", "last"),
    [
        (date(2026, 2, 10), date(2026, 2, 28)),
        (date(2028, 2, 1), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2026, 12, 31)),
        (date(2026, 4, 30), date(2026, 4, 30)),
    ],
)
def test_a_month_ends_on_its_last_day(day, last):
    assert month_end(day) == last


def test_a_period_touches_the_months_it_overlaps_and_counts_their_days():
    period = Period("custom", date(2026, 10, 15), date(2026, 12, 2))

    assert months_in(period) == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert [days_of_month_in(period, month) for month in months_in(period)] == [17, 30, 2]
    assert days_of_month_in(period, date(2027, 1, 1)) == 0
    assert period.label() == "15 Oct 2026 – 2 Dec 2026"
