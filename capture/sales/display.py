"""Template helpers for the sales pages: ages, local times, warmth badges."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from ..domain.warmth import age_in_words, warmth_of
from ..qualification import current_rules
from . import bp


@bp.app_template_filter("age")
def age(moment: datetime | None, now: datetime) -> str:
    """`5 days` since `moment`."""
    return age_in_words(moment, now) if moment else ""


@bp.app_template_filter("local")
def local(moment: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """`moment` in the business's time zone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(current_app.config["LEADS_TIMEZONE"])).strftime(fmt)


@bp.app_template_global("warmth")
def warmth(last_interest_at: datetime, now: datetime) -> str:
    rules = current_rules()
    return warmth_of(last_interest_at, now, rules.hot_days, rules.warm_days)
