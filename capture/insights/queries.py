"""The insights' numbers, each one aggregate query over an index.

The leads counted for a period are those first seen in it (their first
interest), as they stand now: "of the leads paid brought in October, 12
became opportunities and 3 were won".
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal

from ..domain.periods import Period
from ..extensions import db
from ..models import FormCount, Lead

# Drill-down: a channel's leads by source, a source's by campaign.
GROUPINGS = {"channel": Lead.channel, "source": Lead.source, "campaign": Lead.utm_campaign}


@dataclass(frozen=True)
class Bounds:
    """A period as moments: from the first day's local midnight up to, not
    including, the midnight after the last day."""

    start: datetime
    end: datetime

    @classmethod
    def of(cls, period: Period, zone: ZoneInfo) -> "Bounds":
        def midnight(day):
            return datetime.combine(day, time.min, tzinfo=zone)

        return cls(midnight(period.since), midnight(period.until + timedelta(days=1)))


@dataclass(frozen=True)
class Tally:
    """What became of the leads of one channel (or source, campaign, or all)."""

    key: str
    leads: int
    opportunity: int
    nurture: int
    disqualified: int
    won: int
    lost: int
    responded: int
    # Opportunities sales followed up (contacted, or won or lost): first appointments.
    appointments: int
    median_response_seconds: float | None = None

    @property
    def qualified(self) -> int:
        return self.opportunity + self.nurture


def cohort(bounds: Bounds, form_id: int | None = None, **within) -> list:
    """Conditions for the leads first seen in `bounds` (through one form, if given).

    `within` narrows by grouping, e.g. channel="paid", source="" (none).
    """
    conditions = [Lead.first_interest_at >= bounds.start, Lead.first_interest_at < bounds.end]
    if form_id is not None:
        conditions.append(Lead.first_form_id == form_id)
    for name, value in within.items():
        column = GROUPINGS[name]
        conditions.append(column.is_(None) | (column == "") if value == "" else column == value)
    return conditions


def _counted(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _response_seconds():
    """Seconds from first interest to first response, in the database's own arithmetic."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", Lead.first_response_at - Lead.first_interest_at)
    return (func.julianday(Lead.first_response_at) - func.julianday(Lead.first_interest_at)) * 86400


def tallies(conditions: list, group_by: str | None) -> list[Tally]:
    """One Tally per value of the grouping (None: one for all), largest first."""
    key = func.coalesce(GROUPINGS[group_by], "") if group_by else literal("")
    rows = db.session.execute(
        db.select(
            key.label("key"),
            func.count(),
            _counted(Lead.list == "opportunity"),
            _counted(Lead.list == "nurture"),
            _counted(Lead.list == "disqualified"),
            _counted(Lead.outcome == "won"),
            _counted(Lead.outcome == "lost"),
            _counted(Lead.first_response_at.is_not(None)),
            _counted(
                (Lead.list == "opportunity")
                & (Lead.first_response_at.is_not(None) | Lead.outcome.is_not(None))
            ),
        )
        .where(*conditions)
        .group_by(key)
    ).all()
    medians = median_responses(conditions, group_by)
    found = [Tally(*row, median_response_seconds=medians.get(row[0])) for row in rows]
    return sorted(found, key=lambda tally: (-tally.leads, tally.key))


def median_responses(conditions: list, group_by: str | None) -> dict[str, float]:
    """The median wait for a first response per group, in seconds (the middle
    value, or the mean of the two middle values), of the leads that got one."""
    key = func.coalesce(GROUPINGS[group_by], "") if group_by else literal("")
    waits = (
        db.select(key.label("key"), _response_seconds().label("wait"))
        .where(*conditions, Lead.first_response_at.is_not(None))
        .subquery()
    )
    ranked = db.select(
        waits.c.key,
        waits.c.wait,
        func.row_number().over(partition_by=waits.c.key, order_by=waits.c.wait).label("rank"),
        func.count().over(partition_by=waits.c.key).label("n"),
    ).subquery()
    middle = db.select(ranked.c.key, func.avg(ranked.c.wait)).where(
        ranked.c.rank.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
    )
    rows = db.session.execute(middle.group_by(ranked.c.key)).all()
    return {key: round(float(wait)) for key, wait in rows}


def reasons(conditions: list) -> list[tuple[str, str, int]]:
    """(channel, stored reason, count) for the disqualified leads of the cohort."""
    return db.session.execute(
        db.select(Lead.channel, Lead.reason, func.count())
        .where(*conditions, Lead.list == "disqualified")
        .group_by(Lead.channel, Lead.reason)
    ).all()


def form_events(bounds: Bounds, form_id: int | None = None) -> dict[int, dict[str, int]]:
    """Each form's tallies in the period: {form_id: {"view": n, "contact": n, …}}."""
    conditions = [FormCount.slot >= bounds.start, FormCount.slot < bounds.end]
    if form_id is not None:
        conditions.append(FormCount.form_id == form_id)
    rows = db.session.execute(
        db.select(FormCount.form_id, FormCount.event, func.sum(FormCount.count))
        .where(*conditions)
        .group_by(FormCount.form_id, FormCount.event)
    ).all()
    events: dict[int, dict[str, int]] = {}
    for form, event, count in rows:
        events.setdefault(form, {})[event] = int(count)
    return events


def open_pipeline(since: dict[str, datetime]) -> dict[str, dict[str, int]]:
    """Open opportunities (no outcome yet) and nurture leads by warmth, now.

    `since` holds the warmth bands' lower bounds: {"hot": …, "warm": …}.
    """
    bands = {
        "hot": Lead.last_interest_at >= since["hot"],
        "warm": (Lead.last_interest_at >= since["warm"]) & (Lead.last_interest_at < since["hot"]),
        "cold": Lead.last_interest_at < since["warm"],
    }
    lists = {
        "opportunity": (Lead.list == "opportunity") & Lead.outcome.is_(None),
        "nurture": Lead.list == "nurture",
    }
    counts: dict[str, dict[str, int]] = {}
    for name, on_list in lists.items():
        for warmth, band in bands.items():
            count = db.session.scalar(db.select(func.count()).where(on_list, band))
            counts.setdefault(name, {})[warmth] = count
    return counts
