"""Business time: the hours a business is open, and arithmetic that counts only those.

A response target of one hour means one hour the business is open: a lead
that becomes an opportunity on Friday at 16:30 with a one-hour target is due
on Monday at 09:30. Counting happens in the business's time zone, day by
day: each day's opening and closing are wall-clock times turned into moments
with the zone, so the hours hold across the DST changes (a fixed 24 h step
would open an hour early or late for half the year). Closed weekdays and
holidays count nothing.

Pure: no Flask, no database. Holidays come in as a predicate on dates or a
set of dates; capture/leads/business_calendar.py builds the Dutch ones.
"""

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# A day's opening hours: (opens, closes), or None when closed all day.
OpeningHours = tuple[time, time] | None
# A predicate on local dates, or the dates themselves (any container: a set, a `holidays` dict).
Holidays = Callable[[date], bool] | Collection[date]
NO_HOLIDAYS: frozenset[date] = frozenset()

OFFICE_HOURS = (time(9), time(17))
DEFAULT_DAYS: tuple[OpeningHours, ...] = (OFFICE_HOURS,) * 5 + (None, None)

# A run of closed days this long means the business never opens: stop looking.
MAX_CLOSED_DAYS = 366

# What is wrong with typed settings (the pages word them in the reader's language).
CLOSES_BEFORE_OPENING = "A day closes after it opens."
NO_OPEN_DAY = "Business hours need at least one open day."
ONE_ENTRY_PER_WEEKDAY = "Business hours have one entry per weekday, Monday to Sunday."
NEVER_OPEN = "The business is not open on any day within a year (every open day a holiday)."


class BusinessTimeProblem(ValueError):
    """Hours that cannot be used; the message is one of the constants above."""


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours per weekday, Monday first; default Monday-Friday 09:00-17:00.

    One interval per day, within the day (closing at midnight or later is
    not possible: the latest close is 23:59).
    """

    days: tuple[OpeningHours, ...] = DEFAULT_DAYS

    def __post_init__(self) -> None:
        if len(self.days) != len(WEEKDAYS):
            raise BusinessTimeProblem(ONE_ENTRY_PER_WEEKDAY)
        for opening in self.days:
            if opening is not None and not opening[0] < opening[1]:
                raise BusinessTimeProblem(CLOSES_BEFORE_OPENING)
        if all(opening is None for opening in self.days):
            raise BusinessTimeProblem(NO_OPEN_DAY)

    def on(self, day: date) -> OpeningHours:
        return self.days[day.weekday()]


DEFAULT_HOURS = BusinessHours()


def hours_to_dict(hours: BusinessHours) -> dict:
    """As stored (JSON): {"monday": ["09:00:00", "17:00:00"], ..., "sunday": null}."""
    return {
        weekday: None if opening is None else [opening[0].isoformat(), opening[1].isoformat()]
        for weekday, opening in zip(WEEKDAYS, hours.days, strict=True)
    }


def hours_from_dict(stored: Mapping, base: BusinessHours = DEFAULT_HOURS) -> BusinessHours:
    """The stored hours; never fails: a weekday missing or malformed keeps
    `base`'s hours, and hours that no longer make sense as a whole are `base`."""
    days = []
    for weekday, fallback in zip(WEEKDAYS, base.days, strict=True):
        if weekday not in stored:
            days.append(fallback)
        elif stored[weekday] is None:
            days.append(None)
        else:
            try:
                opens, closes = (time.fromisoformat(raw) for raw in stored[weekday])
            except (TypeError, ValueError):
                days.append(fallback)
            else:
                days.append((opens, closes))
    try:
        return BusinessHours(tuple(days))
    except BusinessTimeProblem:
        return base


def add_business_time(
    start: datetime,
    duration: timedelta,
    hours: BusinessHours,
    holiday: Holidays,
    zone: tzinfo,
) -> datetime:
    """The moment (UTC) when `duration` of open business time has passed since `start`.

    Outside business hours the count starts at the next opening; a count
    that ends exactly at a closing ends there (16:00 + 1 h is 17:00 the same
    day). A zero duration gives `start` when open, else the next opening.
    Raises ValueError for a naive `start` or a negative duration, and
    BusinessTimeProblem when the business never opens.
    """
    if duration < timedelta(0):
        raise ValueError("A duration of business time cannot be negative.")
    start, remaining = _utc(start), duration
    for opens, closes in _open_spans(_local_day(start, zone), hours, holiday, zone):
        counted_from = max(opens, start)
        if counted_from >= closes:
            continue
        if remaining <= closes - counted_from:
            return counted_from + remaining
        remaining -= closes - counted_from
    raise AssertionError("unreachable: _open_spans never ends")  # pragma: no cover


def business_time_between(
    a: datetime,
    b: datetime,
    hours: BusinessHours,
    holiday: Holidays,
    zone: tzinfo,
) -> timedelta:
    """The open business time from `a` to `b`; negative when `b` comes first
    (so "due in 45 min" and "overdue 2 h" are one call). Raises ValueError
    for a naive moment."""
    a, b = _utc(a), _utc(b)
    if b < a:
        return -business_time_between(b, a, hours, holiday, zone)
    total, last_day = timedelta(0), _local_day(b, zone)
    for opens, closes in _open_spans(_local_day(a, zone), hours, holiday, zone, last_day):
        total += max(timedelta(0), min(closes, b) - max(opens, a))
    return total


def _open_spans(
    first: date,
    hours: BusinessHours,
    holiday: Holidays,
    zone: tzinfo,
    last: date | None = None,
) -> Iterator[tuple[datetime, datetime]]:
    """Each open day's (opens, closes) in UTC, from `first` to `last` (endless without)."""
    is_holiday = holiday if callable(holiday) else holiday.__contains__
    day, closed_run = first, 0
    while last is None or day <= last:
        opening = hours.on(day)
        if opening is None or is_holiday(day):
            closed_run += 1
            if last is None and closed_run > MAX_CLOSED_DAYS:
                raise BusinessTimeProblem(NEVER_OPEN)
        else:
            closed_run = 0
            # A wall time that does not exist that day (inside the spring
            # change's gap) reads as the clocks before the change read it.
            opens, closes = (_utc(datetime.combine(day, t, tzinfo=zone)) for t in opening)
            if opens < closes:
                yield opens, closes
        day += timedelta(days=1)


def _local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def _utc(moment: datetime) -> datetime:
    """`moment` in UTC, where adding a timedelta adds real elapsed time
    (an aware local datetime would add wall-clock time)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Business time needs an aware datetime (with its time zone).")
    return moment.astimezone(UTC)
