"""App-wide template filters: ages, local times, warmth badges, and the words
for the stored vocabulary in the reader's language (registered by create_app)."""

from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import Flask, current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from ..access.roles import role_word
from ..domain.money import format_money
from ..domain.warmth import age_in_words
from ..leads.qualification import current_rules, lead_warmth
from .labels import (
    CHANNEL_WORDS,
    INTENT_WORDS,
    LIST_NAMES,
    LIST_WORDS,
    OUTCOME_WORDS,
    WARMTH_WORDS,
    word_for,
)


def business_zone() -> ZoneInfo:
    """The business's time zone (LEADS_TIMEZONE): days and times as sales count them."""
    return ZoneInfo(current_app.config["LEADS_TIMEZONE"])


def page_locale() -> str:
    """The language of the page being made ("en" outside a request)."""
    return str(get_locale() or "en")


def counted(number: int, unit: str) -> str:
    """`5 days`, `1 hour` in the page's language; `unit` as `age_in_words` writes it."""
    stem = unit.removesuffix("s")
    if stem == "minute":
        return ngettext("%(num)d minute", "%(num)d minutes", number)
    if stem == "hour":
        return ngettext("%(num)d hour", "%(num)d hours", number)
    if stem == "day":
        return ngettext("%(num)d day", "%(num)d days", number)
    return f"{number} {unit}"


def age(moment: datetime | None, now: datetime) -> str:
    """`5 days` since `moment`."""
    if not moment:
        return ""
    number, unit = age_in_words(moment, now).split(" ")
    return counted(int(number), unit)


def duration_words(duration: str) -> str:
    """A duration written as number-unit pairs ("45 min", "3 h 20 min",
    "2 days 4 h", as capture/domain/funnel.py's duration_in_words writes
    them) in the reader's language; a dash for ''."""
    words = duration.split()
    if not words:
        return "—"
    pairs = zip(words[::2], words[1::2], strict=True)
    return " ".join(_duration_part(int(number), unit) for number, unit in pairs)


def _duration_part(number: int, unit: str) -> str:
    if unit == "min":
        return _("%(num)d min", num=number)
    if unit == "h":
        return _("%(num)d h", num=number)
    return ngettext("%(num)d day", "%(num)d days", number)


def short_duration(length: timedelta) -> str:
    """`45 min`, `1 h 30 min`, `5 h`, `3 days`: how long, as a badge says it
    (minutes under an hour, hours and minutes under ten hours, hours under
    two days, then days; rounded down, at least a minute)."""
    minutes = max(1, int(length.total_seconds()) // 60)
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        words = f"{minutes} min"
    elif hours < 10 and rest:
        words = f"{hours} h {rest} min"
    elif hours < 48:
        words = f"{hours} h"
    else:
        words = f"{hours // 24} days"
    return duration_words(words)


# Due this soon: the badge says so louder.
DUE_SOON = timedelta(hours=1)


def due_state(respond_by: datetime | None, now: datetime) -> str | None:
    """`overdue`, `soon` (within DUE_SOON) or `later`; None: no clock runs."""
    if respond_by is None:
        return None
    if respond_by <= now:
        return "overdue"
    return "soon" if respond_by - now <= DUE_SOON else "later"


def due_words(respond_by: datetime | None, now: datetime) -> str:
    """`respond by 14:30 (in 45 min)` or `overdue 2 h` (wall-clock time: what
    the reader's own clock says). A deadline on another day names the day:
    `respond by Mon 09:30 (in 2 days)`, or the date a week or more ahead."""
    if respond_by is None:
        return ""
    if respond_by <= now:
        return _("overdue %(late)s", late=short_duration(now - respond_by))
    zone = business_zone()
    days_ahead = (respond_by.astimezone(zone).date() - now.astimezone(zone).date()).days
    pattern = "HH:mm" if days_ahead == 0 else "EEE HH:mm" if days_ahead < 7 else "d MMM HH:mm"
    return _(
        "respond by %(time)s (in %(left)s)",
        time=local(respond_by, pattern),
        left=short_duration(respond_by - now),
    )


def local(moment: datetime | None, pattern: str = "dd MMM yyyy HH:mm") -> str:
    """`moment` in the business's time zone; `pattern` in Unicode (CLDR) date syntax,
    so month names are in the page's language."""
    if moment is None:
        return ""
    return format_datetime(moment.astimezone(business_zone()), pattern, locale=page_locale())


def date_words(day: date, pattern: str = "MMMM yyyy") -> str:
    """A date as words in the page's language: `November 2026`, `1 Nov 2026`."""
    return format_date(day, pattern, locale=page_locale())


def warmth(lead, now: datetime) -> str:
    """`hot`, `warm` or `cold` for `lead` by the rules in force."""
    return lead_warmth(lead, current_rules(), now)


def list_word(name: str | None) -> str:
    """`nurture` as it reads in a sentence."""
    return word_for(name, LIST_WORDS)


def list_name(name: str | None) -> str:
    """`Nurture` as a tab, heading or option."""
    return word_for(name, LIST_NAMES)


def warmth_word(value: str | None) -> str:
    return word_for(value, WARMTH_WORDS)


def channel_word(value: str | None) -> str:
    return word_for(value, CHANNEL_WORDS)


def outcome_word(value: str | None) -> str:
    return word_for(value, OUTCOME_WORDS)


def intent_words(value: str | None) -> str:
    """`high intent`."""
    return word_for(value, INTENT_WORDS) if value in INTENT_WORDS else f"{value} intent"


def money(cents: Fraction | int | None) -> str:
    """`€416.67`, or a dash when there is nothing to show."""
    return "—" if cents is None else format_money(cents)


def register(app: Flask) -> None:
    """The filters and globals every page may use, under their own names."""
    for function in (
        money,
        role_word,
        age,
        local,
        due_words,
        date_words,
        list_word,
        list_name,
        warmth_word,
        channel_word,
        outcome_word,
        intent_words,
    ):
        app.add_template_filter(function)
    app.add_template_global(warmth)
    app.add_template_global(due_state)
