"""The explainable lead score: fit from who they are, engagement from what they did."""

from collections.abc import Sequence
from dataclasses import dataclass

from .rules import DEFAULT_RULES, QualificationRules
from .vocabulary import INTENTS


@dataclass(frozen=True)
class Score:
    """A score with its parts and one line of explanation per part."""

    fit: int
    engagement: int
    reasons: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.fit + self.engagement

    def summary(self) -> str:
        """Return the short form sales see, e.g. `fit 80 + engagement 30`."""
        return f"fit {self.fit} + engagement {self.engagement}"


def highest_intent(intents: Sequence[str]) -> str | None:
    """Return the highest of `intents` (low < medium < high), or None if empty."""
    known = [intent for intent in intents if intent in INTENTS]
    return max(known, key=INTENTS.index) if known else None


def score_lead(
    headcount: str | None,
    sector: str | None,
    intents: Sequence[str],
    rules: QualificationRules = DEFAULT_RULES,
) -> Score:
    """Score a lead from its answers and the intents of all its submissions.

    Fit is points for the headcount band plus a bonus for a target sector.
    Engagement is the points of the highest intent, plus `repeat_points` for
    each further submission, capped at `repeat_points_max`.
    """
    reasons = []
    fit = 0
    if headcount in rules.headcount_points:
        band_points = rules.headcount_points[headcount]
        fit += band_points
        reasons.append(f"{headcount} employees: +{band_points}")
    if sector and sector in rules.target_sectors:
        fit += rules.target_sector_points
        reasons.append(f"target sector {sector}: +{rules.target_sector_points}")

    engagement = 0
    top = highest_intent(intents)
    if top:
        intent_points = rules.intent_points[top]
        engagement += intent_points
        reasons.append(f"{top} intent: +{intent_points}")
    further = max(0, len(intents) - 1)
    if further:
        repeat = min(further * rules.repeat_points, rules.repeat_points_max)
        engagement += repeat
        reasons.append(f"{further} further submission{'s' if further > 1 else ''}: +{repeat}")
    return Score(fit=fit, engagement=engagement, reasons=tuple(reasons))
