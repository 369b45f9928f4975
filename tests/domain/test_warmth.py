"""Warmth decays: hot within 2 days, warm within 30 days, cold after that."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from capture.domain.warmth import warmth_of

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("age", "warmth"),
    [
        (timedelta(0), "hot"),
        (timedelta(minutes=5), "hot"),
        (timedelta(days=1, hours=23), "hot"),
        (timedelta(days=2), "hot"),
        (timedelta(days=2) + SECOND, "warm"),
        (timedelta(days=3), "warm"),
        (timedelta(days=14), "warm"),
        (timedelta(days=30) - SECOND, "warm"),
        (timedelta(days=30), "warm"),
        (timedelta(days=30) + SECOND, "cold"),
        (timedelta(days=31), "cold"),
        (timedelta(days=365), "cold"),
    ],
)
def test_warmth_with_the_default_thresholds(age, warmth):
    assert warmth_of(NOW - age, NOW) == warmth


@pytest.mark.parametrize(
    ("age", "hot_days", "warm_days", "warmth"),
    [
        (timedelta(days=1), 1, 7, "hot"),
        (timedelta(days=1) + SECOND, 1, 7, "warm"),
        (timedelta(days=7), 1, 7, "warm"),
        (timedelta(days=7) + SECOND, 1, 7, "cold"),
        (timedelta(days=3), 5, 60, "hot"),
        (timedelta(days=45), 5, 60, "warm"),
        (timedelta(days=60) + SECOND, 5, 60, "cold"),
        (timedelta(hours=1), 0, 30, "warm"),
    ],
)
def test_warmth_follows_custom_thresholds(age, hot_days, warm_days, warmth):
    assert warmth_of(NOW - age, NOW, hot_days=hot_days, warm_days=warm_days) == warmth


@pytest.mark.parametrize(
    ("last_interest_at", "warmth"),
    [
        # The same instants as NOW minus 2 days / minus 2 days and a second, in Amsterdam time.
        (datetime(2025, 3, 12, 10, 30, tzinfo=timezone(timedelta(hours=1))), "hot"),
        (datetime(2025, 3, 12, 10, 29, 59, tzinfo=timezone(timedelta(hours=1))), "warm"),
        (datetime(2025, 2, 12, 4, 30, tzinfo=timezone(timedelta(hours=-5))), "warm"),
        (datetime(2025, 2, 12, 4, 29, 59, tzinfo=timezone(timedelta(hours=-5))), "cold"),
    ],
)
def test_warmth_compares_aware_datetimes_across_time_zones(last_interest_at, warmth):
    assert warmth_of(last_interest_at, NOW) == warmth


def test_interest_stamped_slightly_in_the_future_counts_as_hot():
    assert warmth_of(NOW + timedelta(seconds=30), NOW) == "hot"
