"""The insights' numbers, each one aggregate query over an index.

The leads counted for a period are those first seen in it (their first
interest), as they stand now: "of the leads paid brought in October, 12
became opportunities and 3 were won". People erased since (capture/leads/privacy.py)
still count, from the anonymous rows they left (ErasedLead), so the totals
do not change when someone is erased.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, case, cast, func

from ..domain.funnel import median_of_counts
from ..domain.periods import Period
from ..extensions import db
from ..models import ErasedLead, FormCount, Lead

# Where the counted people are: the leads, and what erased ones left.
PEOPLE = (Lead, ErasedLead)


def grouping(model, name: str):
    """Drill-down: a channel's leads by source, a source's by campaign."""
    return {"channel": model.channel, "source": model.source, "campaign": model.utm_campaign}[name]


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

    COUNTS = (
        "leads",
        "opportunity",
        "nurture",
        "disqualified",
        "won",
        "lost",
        "responded",
        "appointments",
    )

    @property
    def qualified(self) -> int:
        return self.opportunity + self.nurture


@dataclass(frozen=True)
class Cohort:
    """The people first seen in `bounds` (through one form, if given).

    `within` narrows by grouping, e.g. channel="paid", source="" (none).
    """

    bounds: Bounds
    form_id: int | None = None
    within: tuple = ()

    def on(self, model) -> list:
        """The conditions, on Lead or ErasedLead."""
        conditions = [
            model.first_interest_at >= self.bounds.start,
            model.first_interest_at < self.bounds.end,
        ]
        if self.form_id is not None:
            conditions.append(model.first_form_id == self.form_id)
        for name, value in self.within:
            column = grouping(model, name)
            conditions.append(column.is_(None) | (column == "") if value == "" else column == value)
        return conditions


def cohort(bounds: Bounds, form_id: int | None = None, **within) -> Cohort:
    return Cohort(bounds, form_id, tuple(within.items()))


def _counted(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _response_minutes(model):
    """Whole minutes from first interest to first response, rounded to the
    second first, the same on both databases (59.7 seconds is 1 minute)."""
    if db.engine.dialect.name == "postgresql":
        waited = model.first_response_at - model.first_interest_at
        return func.floor(func.round(func.extract("epoch", waited)) / 60)
    days = func.julianday(model.first_response_at) - func.julianday(model.first_interest_at)
    return cast(func.round(days * 86400), Integer) // 60


def _counts(model, people: Cohort, group_by: str) -> list:
    key = func.coalesce(grouping(model, group_by), "")
    return db.session.execute(
        db.select(
            key.label("key"),
            func.count(),
            _counted(model.list == "opportunity"),
            _counted(model.list == "nurture"),
            _counted(model.list == "disqualified"),
            _counted(model.outcome == "won"),
            _counted(model.outcome == "lost"),
            _counted(model.first_response_at.is_not(None)),
            _counted(
                (model.list == "opportunity")
                & (model.first_response_at.is_not(None) | model.outcome.is_not(None))
            ),
        )
        .where(*people.on(model))
        .group_by(key)
    ).all()


def tallies(people: Cohort, group_by: str) -> tuple[list[Tally], Tally]:
    """One Tally per value of the grouping, largest first, and their total.

    One pass over the cohort for the counts, one for the waits (for the
    leads, and again for the few erased people); the total is added up from
    the groups, not counted again.
    """
    counted: dict[str, list[int]] = {}
    for model in PEOPLE:
        for row in _counts(model, people, group_by):
            sums = counted.setdefault(row[0], [0] * len(Tally.COUNTS))
            for index, value in enumerate(row[1:]):
                sums[index] += int(value)
    waits = response_minutes(people, group_by)
    everyone = [pair for pairs in waits.values() for pair in pairs]
    found = [
        Tally(key, *sums, median_response_seconds=_median(waits.get(key)))
        for key, sums in counted.items()
    ]
    sums = [sum(getattr(tally, name) for tally in found) for name in Tally.COUNTS]
    total = Tally("", *sums, median_response_seconds=_median(everyone))
    return sorted(found, key=lambda tally: (-tally.leads, tally.key)), total


def _median(pairs: list[tuple[int, int]] | None) -> float | None:
    minutes = median_of_counts(pairs or [])
    return None if minutes is None else minutes * 60


def response_minutes(people: Cohort, group_by: str) -> dict[str, list[tuple[int, int]]]:
    """How long leads waited for a first response, in whole minutes, per group:
    {key: [(minutes, how many leads), …]}. Minutes are what the page shows,
    and counting per minute keeps the rows few."""
    waits: dict[str, list[tuple[int, int]]] = {}
    for model in PEOPLE:
        key = func.coalesce(grouping(model, group_by), "")
        minutes = _response_minutes(model).label("minutes")
        rows = db.session.execute(
            db.select(key, minutes, func.count())
            .where(*people.on(model), model.first_response_at.is_not(None))
            .group_by(key, minutes)
        ).all()
        for group, wait, count in rows:
            waits.setdefault(group, []).append((int(wait), int(count)))
    return waits


def reasons(people: Cohort) -> list[tuple[str, str, int]]:
    """(channel, stored reason, count) for the disqualified people of the cohort;
    an erased person's reason is already its group."""
    found = []
    for model in PEOPLE:
        # Grouped reason first: SQLite then reads the (list, first interest,
        # reason, channel) index alone rather than walk the channel index.
        rows = db.session.execute(
            db.select(model.reason, model.channel, func.count())
            .where(*people.on(model), model.list == "disqualified")
            .group_by(model.reason, model.channel)
        ).all()
        found += [(channel, reason, count) for reason, channel, count in rows]
    return found


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
