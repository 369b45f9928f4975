"""The insights' periods: this month, last month, the last 30 or 90 days, or a range.

Plain dates in the business's time zone, `until` included; turning them into
moments is the caller's (it knows the zone).
"""

from dataclasses import dataclass
from datetime import date, timedelta

PERIODS = {
    "this-month": "This month so far",
    "last-month": "Last month",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "custom": "Custom range",
}
DEFAULT_PERIOD = "30d"
# A custom range longer than this is cut to its last ten years.
MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    kind: str
    since: date
    until: date

    def label(self) -> str:
        """`1 Nov 2026 – 30 Nov 2026`."""
        return f"{self.since:%-d %b %Y} – {self.until:%-d %b %Y}"


def _date(raw: str | None) -> date | None:
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day and 1900 <= day.year <= 2999 else None


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def period_from(kind: str | None, since: str | None, until: str | None, today: date) -> Period:
    """The period the page asks for; anything unknown or malformed falls back, never fails.

    This month runs from its first day to today (so its cost is counted for
    the days so far, like any period's); last month is the whole calendar
    month. A custom range without a start begins
    29 days before its end, without an end ends today; reversed dates are
    swapped.
    """
    kind = kind if kind in PERIODS else DEFAULT_PERIOD
    if kind == "this-month":
        return Period(kind, month_start(today), today)
    if kind == "last-month":
        previous = month_start(today) - timedelta(days=1)
        return Period(kind, month_start(previous), previous)
    if kind in ("30d", "90d"):
        return Period(kind, today - timedelta(days=int(kind[:-1]) - 1), today)
    end = _date(until) or today
    start = _date(since) or end - timedelta(days=29)
    start, end = min(start, end), max(start, end)
    start = max(start, end - timedelta(days=MAX_DAYS - 1))
    return Period(kind, start, end)


def months_in(period: Period) -> list[date]:
    """The first days of the calendar months the period touches, in order."""
    months, month = [], month_start(period.since)
    while month <= period.until:
        months.append(month)
        month = month_end(month) + timedelta(days=1)
    return months


def days_of_month_in(period: Period, month: date) -> int:
    """How many of `month`'s days lie in the period."""
    first, last = max(month, period.since), min(month_end(month), period.until)
    return max(0, (last - first).days + 1)
