"""The qualification settings: every number and list the rules read.

One immutable object holds the defaults from the product brief; admin will
store its edits as a dict and rebuild the object with `rules_from_dict`.
"""

from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType

from .vocabulary import SECTORS

DISPOSABLE_EMAIL_DOMAINS = frozenset(
    {
        "10minutemail.com",
        "discard.email",
        "dispostable.com",
        "guerrillamail.com",
        "maildrop.cc",
        "mailinator.com",
        "mintemail.com",
        "sharklasers.com",
        "temp-mail.org",
        "tempmail.com",
        "throwawaymail.com",
        "trashmail.com",
        "yopmail.com",
    }
)


def _frozen(mapping: dict) -> MappingProxyType:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class QualificationRules:
    """Settings for scoring and routing; defaults are the product's."""

    sectors: tuple[str, ...] = SECTORS
    target_sectors: frozenset[str] = frozenset()
    excluded_sectors: frozenset[str] = frozenset()
    min_headcount: str | None = "10-49"
    max_headcount: str | None = None
    hot_days: int = 2
    warm_days: int = 30
    headcount_points: MappingProxyType = field(
        default_factory=lambda: _frozen(
            {
                "1": 0,
                "2-9": 10,
                "10-49": 40,
                "50-99": 60,
                "100-249": 80,
                "250-999": 100,
                "1000+": 100,
            }
        )
    )
    target_sector_points: int = 20
    intent_points: MappingProxyType = field(
        default_factory=lambda: _frozen({"low": 5, "medium": 20, "high": 60})
    )
    repeat_points: int = 10
    repeat_points_max: int = 30
    opportunity_threshold: int = 150
    disposable_domains: frozenset[str] = DISPOSABLE_EMAIL_DOMAINS
    # What sales choose from when they disqualify a lead (plus "other").
    disqualification_reasons: tuple[str, ...] = (
        "Too small",
        "Wrong sector",
        "Not a buyer",
        "Wrong territory",
        "No budget",
        "Competitor",
        "Unreachable",
        "Spam or fake",
    )


DEFAULT_RULES = QualificationRules()


def rules_to_dict(rules: QualificationRules) -> dict:
    """Return the rules as JSON-ready plain values."""
    # Not dataclasses.asdict: it deep-copies, and mapping proxies cannot be copied.
    plain = {f.name: getattr(rules, f.name) for f in fields(rules)}
    for key, value in plain.items():
        if isinstance(value, frozenset | tuple):
            plain[key] = sorted(value) if isinstance(value, frozenset) else list(value)
        elif isinstance(value, MappingProxyType):
            plain[key] = dict(value)
    return plain


def rules_from_dict(values: dict, base: QualificationRules = DEFAULT_RULES) -> QualificationRules:
    """Return `base` with the known keys of `values` applied; unknown keys are ignored."""
    known = {f.name: f for f in fields(QualificationRules)}
    changes = {}
    for key, value in values.items():
        if key not in known:
            continue
        current = getattr(base, key)
        if isinstance(current, frozenset):
            value = frozenset(value)
        elif isinstance(current, tuple):
            value = tuple(value)
        elif isinstance(current, MappingProxyType):
            value = _frozen(value)
        changes[key] = value
    return replace(base, **changes)
