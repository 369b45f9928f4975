"""Dutch public holidays for business time, from the `holidays` package.

The domain (capture/domain/business_time.py) takes holidays as a predicate
and imports nothing outside the standard library; this module is the one
place that knows where the holidays come from. The package keeps the rules
(Easter-based days, King's Day moved to Saturday 26 April when the 27th is
a Sunday, Liberation Day on 5 May every fifth year), so nobody keeps a
list by hand. Note that it counts Good Friday as a public holiday too.
"""

from collections.abc import Iterable
from datetime import date
from functools import cache

import holidays

COUNTRY = "NL"


def dutch_holidays(years: Iterable[int]) -> frozenset[date]:
    """The Dutch public holidays of `years`."""
    return frozenset(holidays.country_holidays(COUNTRY, years=sorted(set(years))))


# A year's holidays never change while the package stays the same version:
# cached for the process, immutable, so safe to share between threads.
@cache
def _holidays_of(year: int) -> frozenset[date]:
    return dutch_holidays([year])


def is_dutch_holiday(day: date) -> bool:
    """Whether `day` is a Dutch public holiday: the predicate business time takes."""
    return day in _holidays_of(day.year)


def holiday_language(locale: str) -> str | None:
    """The `holidays` package's language for the page's `locale` (`en` is
    `en_US`); None, its default (Dutch), when it has none."""
    offered = holidays.country_holidays(COUNTRY).supported_languages
    if locale in offered:
        return locale
    return next((language for language in offered if language.startswith(f"{locale}_")), None)


def next_holidays(today: date, locale: str, count: int) -> list[tuple[date, str]]:
    """The next `count` Dutch public holidays from `today` on, named in
    `locale`'s language when the package has it (else in Dutch)."""
    days = holidays.country_holidays(
        COUNTRY, years=[today.year, today.year + 1], language=holiday_language(locale)
    )
    return sorted((day, name) for day, name in days.items() if day >= today)[:count]
