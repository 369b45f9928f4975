"""Routing: which of the three lists a lead belongs on, and why.

The rules of the product brief, first match wins. Every outcome carries a
reason in plain words, stored on the lead and shown to sales.
"""

from dataclasses import dataclass

from .rules import DEFAULT_RULES, QualificationRules
from .scoring import Score
from .vocabulary import HEADCOUNT_BANDS, NEAR_TIMELINES, NON_BUYER_ROLES


@dataclass(frozen=True)
class LeadFacts:
    """What routing looks at: the lead's latest answers and its best intent."""

    email: str
    sector: str | None = None
    headcount: str | None = None
    role: str | None = None
    budget: str | None = None
    timeline: str | None = None
    intent: str | None = None


@dataclass(frozen=True)
class Routing:
    list: str
    reason: str


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def _band_index(band: str | None) -> int | None:
    return HEADCOUNT_BANDS.index(band) if band in HEADCOUNT_BANDS else None


def route_lead(
    facts: LeadFacts,
    score: Score,
    rules: QualificationRules = DEFAULT_RULES,
    pinned_list: str | None = None,
) -> Routing:
    """Return the list and the reason for a lead.

    A list pinned by sales (`pinned_list`) is kept whatever the rules say.
    """
    if pinned_list:
        return Routing(pinned_list, f"Kept on {pinned_list}: the list was chosen by hand")

    if facts.sector and facts.sector in rules.excluded_sectors:
        return Routing("disqualified", f"Sector {facts.sector} is excluded")

    band = _band_index(facts.headcount)
    minimum = _band_index(rules.min_headcount)
    maximum = _band_index(rules.max_headcount)
    if band is not None and minimum is not None and band < minimum:
        return Routing(
            "disqualified",
            f"Too small: {facts.headcount} employees, the minimum is {rules.min_headcount}",
        )
    if band is not None and maximum is not None and band > maximum:
        return Routing(
            "disqualified",
            f"Too large: {facts.headcount} employees, the maximum is {rules.max_headcount}",
        )

    if facts.role in NON_BUYER_ROLES:
        return Routing("disqualified", f"Not a buyer: role is {facts.role}")
    domain = email_domain(facts.email)
    if domain in rules.disposable_domains:
        return Routing("disqualified", f"Disposable e-mail address ({domain})")

    if facts.intent == "high":
        return Routing("opportunity", "Asked for contact, a demo or a quote (high intent)")
    if facts.budget == "yes" and facts.timeline in NEAR_TIMELINES:
        return Routing("opportunity", "Budget confirmed and buying within 3 months")
    if score.total >= rules.opportunity_threshold:
        return Routing(
            "opportunity",
            f"Score {score.total} ({score.summary()}) reaches the threshold of "
            f"{rules.opportunity_threshold}",
        )

    if facts.headcount is None or facts.sector is None:
        return Routing("nurture", "Qualifying questions not answered yet")
    return Routing(
        "nurture",
        f"A fit, not ready yet: score {score.total} ({score.summary()}) is below "
        f"{rules.opportunity_threshold}",
    )
