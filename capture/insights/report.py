"""Everything the insights page shows for one period, built from the queries.

The page and its CSV export both read a Report, so they cannot disagree.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cached_property
from zoneinfo import ZoneInfo

from ..domain.funnel import cost_per, period_cost, reason_group
from ..domain.periods import Period, months_in
from ..domain.rules import QualificationRules
from ..domain.vocabulary import CHANNELS
from ..extensions import db
from ..leads.channel_costs import cost_per_appointment, monthly_costs
from ..models import Form
from .queries import Bounds, Tally, cohort, form_events, open_pipeline, reasons, tallies
from .response_times import FirstResponses, first_responses, overdue_opportunities

FUNNEL_STEPS = ("view", "contact", "qualify", "download")
# A channel needs this many leads before it can be called the best, and a
# step of a funnel this many visitors before its drop counts.
BEST_MIN_LEADS = 10


@dataclass(frozen=True)
class Drill:
    """Which level the channel table shows: channels, one channel's sources,
    or one source's campaigns."""

    channel: str | None = None
    source: str | None = None

    @property
    def grouping(self) -> str:
        if self.channel is None:
            return "channel"
        return "source" if self.source is None else "campaign"

    def within(self) -> dict:
        chosen = {"channel": self.channel, "source": self.source}
        return {name: value for name, value in chosen.items() if value is not None}


@dataclass(frozen=True)
class FormFunnel:
    form: Form
    counts: dict[str, int]

    @property
    def steps(self) -> tuple[str, ...]:
        return FUNNEL_STEPS if self.form.kind == "gate" else FUNNEL_STEPS[:3]


@dataclass(frozen=True)
class Drop:
    """Visitors of a form's funnel who reached step `before` but not `after`."""

    form: str  # the form's title
    before: str
    after: str
    came: int
    left: int

    @property
    def lost(self) -> Fraction:
        """The share of `came` that left."""
        return Fraction(self.left, self.came)


def funnel_drops(funnel: FormFunnel) -> list[Drop]:
    """The drops between a funnel's steps that count: fewer went on than came,
    and at least BEST_MIN_LEADS came."""
    drops = []
    for before, after in zip(funnel.steps, funnel.steps[1:], strict=False):
        came, went_on = funnel.counts.get(before, 0), funnel.counts.get(after, 0)
        if came >= BEST_MIN_LEADS and went_on < came:
            drops.append(Drop(funnel.form.title, before, after, came, came - went_on))
    return drops


@dataclass(frozen=True)
class Costs:
    """One channel's (or the total's) cost and what each step of the funnel cost."""

    key: str
    # Cents over the period; None when no cost was entered for any of its months.
    marketing: Fraction | None
    tally: Tally
    sales: Fraction | None = None

    def per(self, count: int) -> Fraction | None:
        return cost_per(self.marketing, count)

    @property
    def per_customer_with_sales(self) -> Fraction | None:
        if self.sales is None:
            return None
        return cost_per((self.marketing or 0) + self.sales, self.tally.won)


@dataclass
class Reasons:
    """Disqualified leads by reason group, overall and per channel."""

    channels: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # (group, channel) -> n
    totals: Counter = field(default_factory=Counter)  # group -> n

    @property
    def groups(self) -> list[str]:
        return sorted(self.totals, key=lambda group: (-self.totals[group], group))


class Report:
    """The numbers for one period, form and drill-down, each read when first
    used: the page reads them all, a CSV export only its own table."""

    def __init__(self, period, zone, now, rules, form=None, drill=None):
        self.period, self.now, self.rules, self.form = period, now, rules, form
        self.drill = drill or Drill()
        self.bounds = Bounds.of(period, zone)
        self.conditions = cohort(self.bounds, form.id if form else None, **self.drill.within())

    @cached_property
    def _tallies(self) -> tuple[list[Tally], Tally]:
        return tallies(self.conditions, self.drill.grouping)

    @property
    def rows(self) -> list[Tally]:
        return self._tallies[0]

    @property
    def total(self) -> Tally:
        return self._tallies[1]

    @cached_property
    def reasons(self) -> Reasons:
        return _reasons(self.conditions, self.rules)

    @cached_property
    def funnels(self) -> list[FormFunnel]:
        events = form_events(self.bounds, self.form.id if self.form else None)
        if not events:
            return []
        forms = db.session.scalars(db.select(Form).where(Form.id.in_(events))).all()
        return [FormFunnel(f, events[f.id]) for f in sorted(forms, key=lambda f: f.title.lower())]

    @cached_property
    def pipeline(self) -> dict[str, dict[str, int]]:
        rules, now = self.rules, self.now
        since = {"hot": now - timedelta(days=rules.hot_days)}
        since["warm"] = now - timedelta(days=rules.warm_days)
        return open_pipeline(since)

    @cached_property
    def first_responses(self) -> FirstResponses:
        """Response times of the clocks started in the period (of the form's
        leads, if one is chosen; all channels: the table is per channel)."""
        return first_responses(self.bounds, self.now, self.form.id if self.form else None)

    @cached_property
    def overdue_now(self) -> int:
        """Opportunities past their deadline now, whatever the period."""
        return overdue_opportunities(self.now)

    @cached_property
    def _costs(self) -> tuple[list[Costs], Costs] | tuple[None, None]:
        # Costs are known per channel: not for one form or within a channel.
        if self.form is not None or self.drill.channel is not None:
            return None, None
        return _costs(self.period, self.rows, self.total)

    @property
    def costs(self) -> list[Costs] | None:
        """Per channel with leads or costs; None when costs do not apply."""
        return self._costs[0]

    @property
    def total_costs(self) -> Costs | None:
        return self._costs[1]

    @property
    def best_channel(self) -> Tally | None:
        """The channel (or source, campaign) whose leads most often became
        opportunities, among those with enough leads to say so; None if none has."""
        candidates = [row for row in self.rows if row.leads >= BEST_MIN_LEADS and row.opportunity]
        return max(
            candidates, key=lambda row: (row.opportunity / row.leads, row.leads), default=None
        )

    @property
    def biggest_drop(self) -> Drop | None:
        """The step of a form's funnel where the largest share of visitors left;
        None when no step counts (see funnel_drops)."""
        drops = [drop for funnel in self.funnels for drop in funnel_drops(funnel)]
        return max(
            drops,
            key=lambda d: (d.lost, d.left, d.came, d.form, d.before, d.after),
            default=None,
        )


def _reasons(conditions: list, rules: QualificationRules) -> Reasons:
    found = Reasons()
    for channel, reason, count in reasons(conditions):
        group = reason_group(reason, rules.disqualification_reasons)
        found.counts[group, channel] += count
        found.totals[group] += count
    used = {channel for _, channel in found.counts}
    found.channels = [channel for channel in CHANNELS if channel in used]
    return found


def _costs(period: Period, rows: list[Tally], total: Tally) -> tuple[list[Costs], Costs]:
    months = months_in(period)
    entered = monthly_costs(months[0], months[-1])
    by_channel: dict[str, dict[date, int]] = {}
    for (month, channel), cents in entered.items():
        by_channel.setdefault(channel, {})[month] = cents
    per_appointment = cost_per_appointment()
    tallied = {row.key: row for row in rows}
    costs = []
    for channel in CHANNELS:
        if channel not in tallied and channel not in by_channel:
            continue
        tally = tallied.get(channel, Tally(channel, *[0] * 8))
        marketing = period_cost(by_channel[channel], period) if channel in by_channel else None
        sales = per_appointment * tally.appointments if per_appointment is not None else None
        costs.append(Costs(channel, marketing, tally, sales))
    spent = [cost.marketing for cost in costs if cost.marketing is not None]
    sales_total = per_appointment * total.appointments if per_appointment is not None else None
    marketing = sum(spent, Fraction(0)) if spent else None
    return costs, Costs("all channels", marketing, total, sales_total)


def build_report(
    period: Period,
    zone: ZoneInfo,
    now: datetime,
    rules: QualificationRules,
    form: Form | None = None,
    drill: Drill | None = None,
) -> Report:
    """The report for `period` (local dates in `zone`), optionally one form's
    leads and one level of drill-down; its numbers are read as they are used."""
    return Report(period, zone, now, rules, form, drill)
