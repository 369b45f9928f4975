"""Template filters for the insights page: money, shares, waiting times, counts."""

from fractions import Fraction

from ..domain.funnel import duration_in_words, whole_percent
from ..domain.money import format_money
from . import bp


@bp.app_template_filter("money")
def money(cents: Fraction | int | None) -> str:
    """`€416.67`, or a dash when there is nothing to show."""
    return "—" if cents is None else format_money(cents)


@bp.app_template_filter("count")
def count(number: int | None) -> str:
    """`1,234`."""
    return f"{number or 0:,}"


@bp.app_template_global("percent")
def percent(part: int, whole: int) -> str:
    """`25%` of `whole`, or a dash for an empty whole."""
    whole_part = whole_percent(part, whole)
    return "—" if whole_part is None else f"{whole_part}%"


@bp.app_template_filter("waiting")
def waiting(seconds: float | None) -> str:
    """`3 h 20 min`, or a dash when nobody was answered."""
    return duration_in_words(seconds) or "—"
