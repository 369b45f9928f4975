"""Template helpers for the sales pages: ages, local times, warmth badges."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from ..domain.warmth import age_in_words
from ..qualification import current_rules, lead_warmth
from . import bp


def business_zone() -> ZoneInfo:
    """The business's time zone (LEADS_TIMEZONE): days and times as sales count them."""
    return ZoneInfo(current_app.config["LEADS_TIMEZONE"])


@bp.app_template_filter("age")
def age(moment: datetime | None, now: datetime) -> str:
    """`5 days` since `moment`."""
    return age_in_words(moment, now) if moment else ""


@bp.app_template_filter("local")
def local(moment: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """`moment` in the business's time zone."""
    if moment is None:
        return ""
    return moment.astimezone(business_zone()).strftime(fmt)


@bp.app_template_global("warmth")
def warmth(lead, now: datetime) -> str:
    """`hot`, `warm` or `cold` for `lead` by the rules in force."""
    return lead_warmth(lead, current_rules(), now)
