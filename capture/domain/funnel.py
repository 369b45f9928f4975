"""The insights' arithmetic: reason groups, cost per step of the funnel, durations.

Money is in cents, kept exact (Fraction) until it is shown.
"""

import math
from collections.abc import Iterable, Mapping
from datetime import date
from fractions import Fraction

from .periods import Period, days_of_month_in, month_end

# Routing's reasons start with these words (see routing.route_lead).
RULE_REASON_GROUPS = (
    ("Too small", "Too small"),
    ("Too large", "Too large"),
    ("Not a buyer", "Not a buyer"),
    ("Disposable e-mail address", "Disposable e-mail address"),
    ("Sector ", "Wrong sector"),
    # A group stands for itself (an erased person keeps only the group).
    ("Wrong sector", "Wrong sector"),
)
OTHER_REASON = "Other"


def reason_group(reason: str | None, sales_reasons: Iterable[str]) -> str:
    """The group a disqualification reason counts under on the insights page.

    The rules' reasons carry details ("Too small: 2-9 employees, …"): they
    count under their first words, and an excluded sector as "Wrong sector",
    like the matching reasons sales pick from. A reason sales picked counts
    under the pick, whatever they typed after it; a reason in their own
    words only counts as "Other".
    """
    text = (reason or "").strip()
    head = text.split(":", 1)[0].strip()
    for prefix, group in RULE_REASON_GROUPS:
        if text.startswith(prefix):
            return group
    picks = {pick.casefold(): pick for pick in sales_reasons}
    return picks.get(head.casefold(), OTHER_REASON)


def period_cost(monthly_cents: Mapping[date, int], period: Period) -> Fraction:
    """What the months' costs come to over the period, in cents.

    A month wholly inside the period counts whole; a month partly inside
    counts by its days (a period of 15 of October's 31 days takes 15/31 of
    October's cost).
    """
    total = Fraction(0)
    for month, cents in monthly_cents.items():
        days = days_of_month_in(period, month)
        if days:
            total += Fraction(cents * days, month_end(month).day)
    return total


def cost_per(cost_cents: Fraction | int | None, count: int) -> Fraction | None:
    """Cost divided over `count` (cents); None when nothing to divide by or no cost known."""
    if cost_cents is None or count <= 0:
        return None
    return Fraction(cost_cents) / count


def share(part: int, whole: int) -> Fraction | None:
    """`part` of `whole` (0..1), None for an empty whole."""
    return Fraction(part, whole) if whole else None


def whole_percent(part: int, whole: int) -> int | None:
    """`part` of `whole` in whole percents, half a percent up (1 of 8 is 13)."""
    if not whole:
        return None
    return math.floor(Fraction(part * 100, whole) + Fraction(1, 2))


def median_of_counts(counted: Iterable[tuple[float, int]]) -> float | None:
    """The median of values given as (value, how many times): the middle
    value, or the mean of the two middle ones; None for no values."""
    ordered = sorted((value, times) for value, times in counted if times > 0)
    total = sum(times for _, times in ordered)
    if not total:
        return None
    # 1-based positions of the middle value(s): equal when the total is odd.
    wanted = [(total + 1) // 2, (total + 2) // 2]
    found, seen = [], 0
    for value, times in ordered:
        seen += times
        while wanted and wanted[0] <= seen:
            found.append(value)
            wanted.pop(0)
    return (found[0] + found[1]) / 2


def duration_in_words(seconds: float | None) -> str:
    """A waiting time for people: `45 min`, `3 h 20 min`, `2 days 4 h`; '' for none."""
    if seconds is None:
        return ""
    minutes = int(seconds / 60 + 0.5)  # half a minute up, like money's half cent
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h" if hours else f"{days} days"
