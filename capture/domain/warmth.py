"""How warm a lead is, from the time of its latest interest."""

from datetime import datetime, timedelta


def warmth_of(
    last_interest_at: datetime, now: datetime, hot_days: int = 2, warm_days: int = 30
) -> str:
    """Return `hot`, `warm` or `cold`.

    Hot is last interest within `hot_days`, warm within `warm_days`, both
    inclusive; anything older is cold. Both datetimes must be aware.
    """
    age = now - last_interest_at
    if age <= timedelta(days=hot_days):
        return "hot"
    if age <= timedelta(days=warm_days):
        return "warm"
    return "cold"


def age_in_words(last_interest_at: datetime, now: datetime) -> str:
    """Return a short age such as `3 hours` or `5 days` for badges."""
    seconds = max(0, int((now - last_interest_at).total_seconds()))
    if seconds < 3600:
        minutes = max(1, seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if seconds < 86400:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''}"
