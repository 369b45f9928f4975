"""Template filters for the insights page: shares, waiting times (and
business time), counts, periods and reason groups."""

from flask_babel import lazy_gettext as _l

from ..domain.funnel import OTHER_REASON, duration_in_words, whole_percent
from ..domain.periods import Period
from ..domain.response_times import minutes_in_words
from ..web.filters import date_words, duration_words
from . import bp

DAY = "d MMM yyyy"  # 1 Nov 2026
# The reason groups the insights make themselves; the reasons sales pick are
# the admin's own words and are shown as typed.
REASON_GROUP_WORDS = {
    "Too small": _l("Too small"),
    "Too large": _l("Too large"),
    "Not a buyer": _l("Not a buyer"),
    "Disposable e-mail address": _l("Disposable e-mail address"),
    "Wrong sector": _l("Wrong sector"),
    OTHER_REASON: _l("Other"),
}


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
    return duration_words(duration_in_words(seconds))


@bp.app_template_filter("business_time")
def business_time(minutes: float | None) -> str:
    """Business minutes as `45 min`, `3 h 10 min`, `52 h`; a dash for none."""
    return duration_words(minutes_in_words(minutes))


@bp.app_template_filter("period_label")
def period_label(period: Period) -> str:
    """`1 Nov 2026 – 30 Nov 2026`, the months in the page's language."""
    return f"{date_words(period.since, DAY)} – {date_words(period.until, DAY)}"


@bp.app_template_filter("reason_group")
def reason_group_word(group: str) -> str:
    """A reason group as the page shows it."""
    return str(REASON_GROUP_WORDS[group]) if group in REASON_GROUP_WORDS else group
