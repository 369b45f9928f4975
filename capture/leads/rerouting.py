"""What a change of the qualification rules does to the leads already stored.

`describe_changes` names what changed, `preview_change` counts which leads
would move between lists, `reroute_leads` (at once) or `start_rerouting` and
`continue_rerouting` (a slice per request) move them, logged as done by the
rules. Leads are read in batches by id, never all at once.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from time import monotonic

from ..db.transactions import begin_write
from ..domain.routing import Routing, email_domain
from ..domain.rules import QualificationRules, rules_to_dict
from ..domain.scoring import Score
from ..domain.vocabulary import LISTS
from ..extensions import db
from ..models import Lead, Setting, Submission, utcnow
from .clocks import clock_after_move, store_clock
from .owners import owner_for_opportunity
from .qualification import requalify, routed, stored_rules

BATCH_SIZE = 1000
# The settings row that keeps an unfinished re-route between requests.
REROUTING_KEY = "rules_rerouting"
# A list change's reason holds 500 characters: the summary, then the routing reason.
SUMMARY_MAX = 250

LABELS = {
    "sectors": "sector list",
    "target_sectors": "target sectors",
    "excluded_sectors": "excluded sectors",
    "min_headcount": "minimum headcount",
    "max_headcount": "maximum headcount",
    "hot_days": "hot within days",
    "warm_days": "warm within days",
    "headcount_points": "points for {key} employees",
    "target_sector_points": "target sector points",
    "intent_points": "points for {key} intent",
    "repeat_points": "points per further submission",
    "repeat_points_max": "further-submission points cap",
    "opportunity_threshold": "opportunity threshold",
    "disposable_domains": "disposable e-mail domains",
    "disqualification_reasons": "disqualification reasons",
}
# How the preview says where a lead would go.
BECOMING = {
    "opportunity": ("would become an opportunity", "would become opportunities"),
    "nurture": ("would move to nurture", "would move to nurture"),
    "disqualified": ("would be disqualified", "would be disqualified"),
}


def _shown(value) -> str:
    return "none" if value is None else str(value)


def describe_changes(old: QualificationRules, new: QualificationRules) -> list[str]:
    """Name each setting that differs, e.g. `minimum headcount 10-49 → 50-99`."""
    changes = []
    for setting in fields(QualificationRules):
        before, after = getattr(old, setting.name), getattr(new, setting.name)
        if before == after:
            continue
        label = LABELS.get(setting.name, setting.name.replace("_", " "))
        if isinstance(after, Mapping):
            for key in [*after, *(key for key in before if key not in after)]:
                if before.get(key) != after.get(key):
                    where = label.format(key=key)
                    changes.append(f"{where} {_shown(before.get(key))} → {_shown(after.get(key))}")
        elif isinstance(after, frozenset | tuple):
            added = [f"+{value}" for value in sorted(after) if value not in before]
            removed = [f"-{value}" for value in sorted(before) if value not in after]
            changes.append(f"{label} {' '.join(added + removed) or 'reordered'}")
        else:
            changes.append(f"{label} {_shown(before)} → {_shown(after)}")
    return changes


def change_summary(changes: list[str]) -> str:
    """The changes on one line, short enough to go in front of a logged reason."""
    if not changes:
        return "none, the rules in force applied again"
    if len("; ".join(changes)) <= SUMMARY_MAX:
        return "; ".join(changes)
    shown = []
    for change in changes:
        more = f"; and {len(changes) - len(shown) - 1} more"
        if len("; ".join([*shown, change]) + more) > SUMMARY_MAX:
            break
        shown.append(change)
    rest = len(changes) - len(shown)
    if not shown:  # the first change alone is too long
        shown, rest = [changes[0][: SUMMARY_MAX - 30] + "…"], rest - 1
    return "; ".join(shown) + (f"; and {rest} more" if rest else "")


def _routed_remembered(
    seen: dict, lead, intents: list[str], rules: QualificationRules
) -> tuple[Score, Routing]:
    """`routed`, remembered by everything routing reads of a lead: many leads share it."""
    domain = email_domain(lead.email)
    key = (
        domain if domain in rules.disposable_domains else None,
        lead.sector,
        lead.headcount,
        lead.role,
        lead.budget,
        lead.timeline,
        tuple(sorted(intents)),
    )
    if key not in seen:
        seen[key] = routed(lead, intents, rules)
    return seen[key]


def _intents_between(first_id: int, last_id: int) -> dict[int, list[str]]:
    """The intents of the submissions of the leads with ids in [first_id, last_id]."""
    intents = defaultdict(list)
    rows = db.session.execute(
        db.select(Submission.lead_id, Submission.intent).where(
            Submission.lead_id.between(first_id, last_id)
        )
    )
    for lead_id, intent in rows:
        intents[lead_id].append(intent)
    return intents


PREVIEW_COLUMNS = (
    Lead.id,
    Lead.email,
    Lead.sector,
    Lead.headcount,
    Lead.role,
    Lead.budget,
    Lead.timeline,
    Lead.list,
    Lead.pinned,
    Lead.score,
)


def _lead_rows(batch_size: int) -> Iterator[tuple[list, dict[int, list[str]]]]:
    """Every lead's routing columns and intents, `batch_size` leads at a time."""
    after = 0
    while True:
        rows = db.session.execute(
            db.select(*PREVIEW_COLUMNS).where(Lead.id > after).order_by(Lead.id).limit(batch_size)
        ).all()
        if not rows:
            return
        yield rows, _intents_between(rows[0].id, rows[-1].id)
        after = rows[-1].id


def _in_list_order(moves: Counter) -> list[tuple[tuple[str, str], int]]:
    return sorted(
        moves.items(), key=lambda item: (LISTS.index(item[0][0]), LISTS.index(item[0][1]))
    )


@dataclass
class RulePreview:
    """What re-routing by new rules would do; counts per (from list, to list)."""

    leads: int = 0
    # Unpinned leads that would move.
    moves: Counter = field(default_factory=Counter)
    # Pinned leads the new rules would put elsewhere; they stay where sales put them.
    held: Counter = field(default_factory=Counter)
    # Of `moves`: leads the rules in force would also move (routed before an earlier change).
    stale: int = 0
    # Unpinned leads that stay on their list with another score.
    rescored: int = 0

    def sorted_moves(self) -> list[tuple[tuple[str, str], int]]:
        return _in_list_order(self.moves)

    def sorted_held(self) -> list[tuple[tuple[str, str], int]]:
        return _in_list_order(self.held)

    def sentences(self) -> list[str]:
        """E.g. `12 nurture leads would become opportunities`, one per move."""
        return [
            f"{count} {from_list} lead{'s' if count != 1 else ''} {BECOMING[to_list][count != 1]}"
            for (from_list, to_list), count in self.sorted_moves()
        ]


def preview_change(
    old: QualificationRules, new: QualificationRules, batch_size: int = BATCH_SIZE
) -> RulePreview:
    """Count where re-routing by `new` would move the stored leads; changes nothing.

    Each lead is scored and routed by the domain functions from its stored
    answers and the intents of all its submissions, as requalify does.
    """
    preview = RulePreview()
    by_new, by_old = {}, {}
    for rows, intents in _lead_rows(batch_size):
        for row in rows:
            preview.leads += 1
            lead_intents = intents.get(row.id, [])
            score, routing = _routed_remembered(by_new, row, lead_intents, new)
            if routing.list == row.list:
                if not row.pinned and score.total != row.score:
                    preview.rescored += 1
            elif row.pinned:
                preview.held[(row.list, routing.list)] += 1
            else:
                preview.moves[(row.list, routing.list)] += 1
                if _routed_remembered(by_old, row, lead_intents, old)[1].list != row.list:
                    preview.stale += 1
    return preview


def _unchanged(lead: Lead, score: Score, routing: Routing) -> bool:
    return (
        lead.list == routing.list
        and lead.reason == routing.reason
        and (lead.fit_score, lead.engagement_score, lead.score)
        == (score.fit, score.engagement, score.total)
        and list(lead.score_reasons or []) == list(score.reasons)
    )


def _reroute_batch(
    rules: QualificationRules, because: str, after: int, batch_size: int
) -> tuple[Counter, int | None, int]:
    """Route the next unpinned leads after id `after` again, in the open write transaction.

    Returns the moves, the last lead id looked at (None when none is left)
    and how many leads were looked at. Nothing is committed here.
    """
    leads = db.session.scalars(
        db.select(Lead)
        .where(Lead.id > after, Lead.pinned.is_(False))
        .order_by(Lead.id)
        .limit(batch_size)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if not leads:
        return Counter(), None, 0
    moves, now = Counter(), utcnow()
    intents = _intents_between(leads[0].id, leads[-1].id)
    for lead in leads:
        score, routing = routed(lead, intents.get(lead.id, []), rules)
        if _unchanged(lead, score, routing):
            continue
        before = lead.list
        requalify(lead, rules, because=because, intents=intents.get(lead.id, []))
        if lead.list != before:
            moves[(before, lead.list)] += 1
            store_clock(lead, clock_after_move(lead, before, now))
            # A whole list re-routed: logged on each lead, nobody e-mailed per lead.
            owner_for_opportunity(lead, was_opportunity=before == "opportunity", notify=False)
    return moves, leads[-1].id, len(leads)


def reroute_leads(rules: QualificationRules, because: str, batch_size: int = BATCH_SIZE) -> Counter:
    """Score and route every unpinned lead again by `rules`; return the moves made.

    Pinned leads are not touched at all. Each batch of leads is locked and
    committed in its own write transaction; a lead whose list, reason and
    score already match is skipped. Every move is logged by requalify, as
    made by the rules (no user), with `because` in front of the reason.
    """
    moves: Counter = Counter()
    after: int | None = 0
    while after is not None:
        begin_write()
        batch_moves, after, _ = _reroute_batch(rules, because, after, batch_size)
        db.session.commit()
        moves.update(batch_moves)
    return moves


@dataclass
class Rerouting:
    """A re-route of the stored leads, done a slice at a time, kept between requests.

    With a million leads, re-routing takes minutes, longer than a request may
    last; so the admin page continues it slice by slice.
    """

    because: str
    rules: dict  # rules_to_dict of the rules it routes by
    total: int  # unpinned leads when it started
    after: int = 0  # the last lead id done
    checked: int = 0
    moves: Counter = field(default_factory=Counter)
    done: bool = False
    # The rules changed again before it finished; the rest was left as it was.
    stopped: bool = False

    def to_value(self) -> dict:
        value = {name: getattr(self, name) for name in ("because", "rules", "total", "after")}
        value["checked"] = self.checked
        value["moves"] = [[from_list, to_list, n] for (from_list, to_list), n in self.moves.items()]
        return value

    @classmethod
    def from_value(cls, value: dict) -> "Rerouting":
        moves = Counter({(from_list, to_list): n for from_list, to_list, n in value["moves"]})
        return cls(
            because=value["because"],
            rules=value["rules"],
            total=value["total"],
            after=value["after"],
            checked=value["checked"],
            moves=moves,
        )


def start_rerouting(rules: QualificationRules, because: str) -> Rerouting:
    """Store a re-route of every unpinned lead by `rules`, replacing an unfinished one.

    Call in a write transaction; the caller commits. `continue_rerouting` does the work.
    """
    total = db.session.scalar(
        db.select(db.func.count()).select_from(Lead).where(Lead.pinned.is_(False))
    )
    job = Rerouting(because=because, rules=rules_to_dict(rules), total=total or 0)
    stored = db.session.get(Setting, REROUTING_KEY) or Setting(key=REROUTING_KEY)
    stored.value = job.to_value()
    db.session.add(stored)
    return job


def pending_rerouting() -> Rerouting | None:
    """The unfinished re-route, if there is one."""
    stored = db.session.get(Setting, REROUTING_KEY)
    return Rerouting.from_value(stored.value) if stored else None


def continue_rerouting(seconds: float, batch_size: int = BATCH_SIZE) -> Rerouting | None:
    """Go on with the stored re-route for about `seconds` (at least one batch).

    Each batch commits together with the progress, so an interrupted request
    loses nothing. A finished re-route is removed and returned with `done`;
    if the rules in force (read afresh for every batch, under the job's lock)
    are no longer the ones it routes by, it is removed and returned with
    `stopped`. Returns None when there is nothing to do.
    """
    deadline = monotonic() + seconds
    while True:
        job = _continue_one_batch(batch_size)
        if job is None or job.done or job.stopped or monotonic() >= deadline:
            return job


def _continue_one_batch(batch_size: int) -> Rerouting | None:
    """Re-route the stored job's next batch in a write transaction of its own,
    committed with the progress; None when no job is stored."""
    begin_write()
    stored = db.session.get(Setting, REROUTING_KEY, with_for_update=True, populate_existing=True)
    if stored is None:
        db.session.commit()
        return None
    job = Rerouting.from_value(stored.value)
    rules_in_force = stored_rules()
    if job.rules != rules_to_dict(rules_in_force):
        job.stopped = True
        db.session.delete(stored)
        db.session.commit()
        return job
    moves, last_id, checked = _reroute_batch(rules_in_force, job.because, job.after, batch_size)
    job.moves.update(moves)
    job.checked += checked
    if last_id is None:
        job.done = True
        db.session.delete(stored)
    else:
        job.after = last_id
        stored.value = job.to_value()
    db.session.commit()
    return job
