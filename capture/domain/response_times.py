"""First-response times for the insights: which clocks count, and the median,
90th percentile and share within target of a group of them.

A response clock (capture/leads/clocks.py) counts once its outcome is known:

- answered (it keeps `response_minutes`, the business minutes to the
  answer): within target when `response_minutes <= target_minutes`, late
  otherwise;
- not answered and past its deadline: missed. That is a clock still
  running after its `respond_by`, or one stopped without an answer (the
  lead moved to another list) after its `respond_by`: the lead waited past
  its target and nobody answered it;
- not answered and not past its deadline: not counted. A running clock not
  yet due may still be answered in time; a lead moved away before its
  deadline (the rules or a person routed it elsewhere) was never owed one.

Times are business minutes, the same as the targets'. Pure: no Flask, no database.
"""

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

WITHIN = "within"
LATE = "late"
MISSED = "missed"


@dataclass(frozen=True)
class Clock:
    """What the insights read of one response clock."""

    target_minutes: int
    respond_by: datetime
    stopped_at: datetime | None = None
    response_minutes: int | None = None


def outcome_of(clock: Clock, now: datetime) -> str | None:
    """WITHIN, LATE or MISSED, or None: the clock does not count (yet); see the module."""
    if clock.response_minutes is not None:
        return WITHIN if clock.response_minutes <= clock.target_minutes else LATE
    waited_until = now if clock.stopped_at is None else clock.stopped_at
    return MISSED if waited_until > clock.respond_by else None


def median(values: list[int]) -> float | None:
    """The middle value, or the mean of the two middle ones (like the page's
    other medians); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(values: list[int], percent: int) -> int | None:
    """The `percent`th percentile by the nearest-rank method: the smallest
    value with at least `percent`% of the values at or below it, always one
    of the values (of 1..10, the 90th is 9; of 1..11, 10); None for none."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(Fraction(percent * len(ordered), 100)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class ResponseTimes:
    """One group's figures: clocks answered, their median and 90th
    percentile (business minutes), and how many counted and were within target."""

    answered: int = 0
    counted: int = 0
    within: int = 0
    median_minutes: float | None = None
    p90_minutes: int | None = None

    @property
    def within_share(self) -> Fraction | None:
        """The share of the counted clocks answered within target; None when none counted."""
        return Fraction(self.within, self.counted) if self.counted else None


def response_times(clocks: Iterable[Clock], now: datetime) -> ResponseTimes:
    """The figures of `clocks` as of `now`."""
    minutes, counted, within = [], 0, 0
    for clock in clocks:
        outcome = outcome_of(clock, now)
        if outcome is None:
            continue
        counted += 1
        within += outcome == WITHIN
        if clock.response_minutes is not None:
            minutes.append(clock.response_minutes)
    return ResponseTimes(len(minutes), counted, within, median(minutes), nearest_rank(minutes, 90))


def response_times_by(
    keyed: Iterable[tuple[Hashable, Clock]], now: datetime
) -> tuple[dict[Hashable, ResponseTimes], ResponseTimes]:
    """The figures per key of (key, clock) pairs, and of all of them together.

    A key whose clocks none count is left out (nothing to say about it)."""
    groups: dict[Hashable, list[Clock]] = {}
    for key, clock in keyed:
        groups.setdefault(key, []).append(clock)
    found = {key: response_times(clocks, now) for key, clocks in groups.items()}
    everyone = [clock for clocks in groups.values() for clock in clocks]
    said = {key: times for key, times in found.items() if times.counted}
    return said, response_times(everyone, now)


def minutes_in_words(minutes: float | None) -> str:
    """Business time for people: `45 min`, `3 h 10 min`, `52 h`; '' for none.

    Whole minutes, half a minute up. No days: a business day is eight hours
    and a calendar day 24, so "2 days" could mean either.
    """
    if minutes is None:
        return ""
    whole = math.floor(minutes + 0.5)
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
