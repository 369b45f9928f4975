"""Applying the rules to a stored lead: score it, route it, log any move."""

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace

from flask import g
from sqlalchemy import Text, cast, select

from ..db.cache import FRESH_FOR, forget_on_write, process_cache
from ..domain.answers import never_down
from ..domain.routing import LeadFacts, Routing, route_lead
from ..domain.rules import DEFAULT_RULES, QualificationRules, rules_from_dict, rules_to_dict
from ..domain.scoring import Score, highest_intent, score_lead
from ..domain.warmth import warmth_of
from ..extensions import db
from ..models import Lead, ListChange, Setting, Submission, utcnow

RULES_KEY = "qualification_rules"


_STORED_RULES = select(cast(Setting.__table__.c.value, Text)).where(
    Setting.__table__.c.key == RULES_KEY
)


def stored_rules() -> QualificationRules:
    """The rules as the database holds them now: the product defaults with the
    admin's edits applied. Reads afresh; see `current_rules` for the cached copy."""
    stored = db.session.connection().scalar(_STORED_RULES)
    return _rules_from_json(stored) if stored is not None else DEFAULT_RULES


@lru_cache(maxsize=8)
def _rules_from_json(text: str) -> QualificationRules:
    # The rules are immutable, so the same stored text can share one object.
    return rules_from_dict(json.loads(text))


def current_rules() -> QualificationRules:
    """The rules in force, read once per request (or app context) and kept in `g`."""
    if "qualification_rules" not in g:
        g.qualification_rules = stored_rules()
    return g.qualification_rules


def intake_rules() -> QualificationRules:
    """The rules for the public form, which reads them on every request: as
    this worker last read them, at most FRESH_FOR seconds ago (a change
    made in this process shows at once). Sales and admin pages use
    `current_rules`, always fresh."""
    if "intake_rules" not in g:
        g.intake_rules = process_cache().get("rules", "in force", stored_rules, ttl=FRESH_FOR)
    return g.intake_rules


# Rules saved in this process route its next submission.
forget_on_write(Setting, lambda setting: setting.key == RULES_KEY)


def save_rules(rules: QualificationRules, user_id: int | None) -> None:
    """Store `rules` as the rules in force (the caller commits)."""
    stored = db.session.get(Setting, RULES_KEY) or Setting(key=RULES_KEY)
    stored.value, stored.updated_by_id = rules_to_dict(rules), user_id
    db.session.add(stored)
    g.qualification_rules = rules


# What routing reads of a lead (or of one submission's answers).
ROUTING_ANSWERS = ("email", "sector", "headcount", "role", "budget", "timeline")


def routed(lead, intents: list[str], rules: QualificationRules) -> tuple[Score, Routing]:
    """Score and route `lead` (a Lead, or a row of its columns) by `rules`.

    `intents` are those of all its submissions. The pinned flag is not looked
    at here: callers decide whether a pinned lead may move.
    """
    score = score_lead(lead.headcount, lead.sector, intents, rules)
    facts = LeadFacts(
        email=lead.email,
        sector=lead.sector,
        headcount=lead.headcount,
        role=lead.role,
        budget=lead.budget,
        timeline=lead.timeline,
        intent=highest_intent(intents),
    )
    return score, route_lead(facts, score, rules)


def own_routing(submission: Submission, rules: QualificationRules) -> Routing:
    """Where `submission`'s own answers and intent would route a new person.

    What the visitor is shown next follows this, not the stored lead: no
    public page may answer a known address differently from an unknown one.
    """
    answers = {name: None for name in ROUTING_ANSWERS} | (submission.answers or {})
    return routed(SimpleNamespace(**answers), [submission.intent], rules)[1]


@dataclass(frozen=True)
class Move:
    """A lead's move to another list, to be logged as a ListChange."""

    from_list: str | None
    to_list: str
    reason: str
    user_id: int | None

    def columns(self) -> dict:
        return asdict(self)


def requalify(lead: Lead, rules: QualificationRules, **how) -> None:
    """Rescore `lead` and route it again (see `rescore`), logging any move in
    the session."""
    move = rescore(lead, rules, **how)
    if move is not None:
        db.session.add(ListChange(lead=lead, **move.columns()))


def rescore(
    lead: Lead,
    rules: QualificationRules,
    user_id: int | None = None,
    first_routing: bool = False,
    because: str | None = None,
    intents: list[str] | None = None,
    up_only: bool = False,
) -> Move | None:
    """Rescore `lead` (a Lead, or anything with its columns as attributes)
    from its answers and submissions and route it again; return the move to
    log, or None.

    A move to another list is logged with the rules' reason. A pinned lead
    keeps its list and reason; only its score changes. `first_routing` logs
    the routing of a new lead as a change from no list; `because` (e.g. the
    rule change that caused it) goes in front of the logged reason. Call inside the
    transaction that changed the lead; nothing is committed here. `intents`
    are those of all its submissions, when the caller knows them already.
    `up_only` (a returning lead's own submission) never moves it to a lower list.
    """
    if intents is None:
        intents = list(
            db.session.scalars(db.select(Submission.intent).where(Submission.lead_id == lead.id))
        )
    score, routing = routed(lead, intents, rules)
    lead.fit_score, lead.engagement_score, lead.score = score.fit, score.engagement, score.total
    lead.score_reasons = list(score.reasons)
    if lead.pinned:
        return None
    if up_only:
        routing = never_down(lead.list, lead.reason, routing)
    move = None
    if first_routing or routing.list != lead.list:
        move = Move(
            from_list=None if first_routing else lead.list,
            to_list=routing.list,
            reason=f"{because}: {routing.reason}" if because else routing.reason,
            user_id=user_id,
        )
    lead.list, lead.reason = routing.list, routing.reason
    return move


def touch(lead: Lead, when: datetime) -> None:
    """Record new interest: `last_interest_at` only ever moves forward."""
    if lead.last_interest_at is None or when > lead.last_interest_at:
        lead.last_interest_at = when


def lead_warmth(lead: Lead, rules: QualificationRules, now: datetime | None = None) -> str:
    """`hot`, `warm` or `cold`, from the lead's latest interest and the rules' thresholds."""
    return warmth_of(lead.last_interest_at, now or utcnow(), rules.hot_days, rules.warm_days)
