"""Triage: how fast a lead needs its first answer, by its list and size class.

The contract (PRODUCT.md, "Who follows up, and by when"): the size class of
the headcount band with the list gives the response target, in business
hours. Defaults: an opportunity of a large firm 1 h, medium 4 h, small 8 h,
size unknown 8 h; nurture none; disqualified never. The admin may change
every one (stored as JSON, minutes per list and size class).

Pure: no Flask, no database.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from types import MappingProxyType

from .business_time import BusinessHours, Holidays, add_business_time
from .vocabulary import size_class

# The lists a target can be set for: a disqualified lead has no owner to answer it.
TARGET_LISTS = ("opportunity", "nurture")
# The size classes, and None: the size is unknown (no or an unknown headcount band).
SIZE_CLASSES = ("large", "medium", "small", None)
UNKNOWN_SIZE_KEY = "unknown"  # None's name in the stored JSON
MAX_TARGET_HOURS = 40  # five business days of eight hours
MAX_TARGET = timedelta(hours=MAX_TARGET_HOURS)

DEFAULT_TARGETS = {
    "opportunity": {
        "large": timedelta(hours=1),
        "medium": timedelta(hours=4),
        "small": timedelta(hours=8),
        None: timedelta(hours=8),
    },
}

# What is wrong with typed settings (the pages word them in the reader's language).
TARGET_NOT_POSITIVE = "A response target is longer than zero."
TARGET_TOO_LONG = f"A response target is at most {MAX_TARGET_HOURS} business hours."
TARGET_NOT_WHOLE_MINUTES = "A response target is a whole number of minutes."
LIST_WITHOUT_TARGETS = "Response targets are set for opportunities and nurture leads only."
NOT_A_SIZE_CLASS = "A response target is set per size class: large, medium, small or unknown."


class TriageProblem(ValueError):
    """Targets that cannot be stored; the message is one of the constants above."""


def check_target(target: timedelta) -> None:
    """Raise TriageProblem unless `target` is a usable response target."""
    if target <= timedelta(0):
        raise TriageProblem(TARGET_NOT_POSITIVE)
    if target > MAX_TARGET:
        raise TriageProblem(TARGET_TOO_LONG)
    if target % timedelta(minutes=1):
        raise TriageProblem(TARGET_NOT_WHOLE_MINUTES)


@dataclass(frozen=True)
class ResponseTargets:
    """Per list, per size class (None: size unknown) the response target;
    a list or size class left out, or given None, has none. Raises TriageProblem."""

    by_list: Mapping[str, Mapping[str | None, timedelta | None]] = field(
        default_factory=lambda: DEFAULT_TARGETS
    )

    def __post_init__(self) -> None:
        checked = {}
        for list_name, by_size in self.by_list.items():
            if list_name not in TARGET_LISTS:
                raise TriageProblem(LIST_WITHOUT_TARGETS)
            for size, target in by_size.items():
                if size not in SIZE_CLASSES:
                    raise TriageProblem(NOT_A_SIZE_CLASS)
                if target is not None:
                    check_target(target)
            targets = {size: target for size, target in by_size.items() if target is not None}
            if targets:  # an empty list is a list left out: equal either way
                checked[list_name] = MappingProxyType(targets)
        # Frozen all the way down: the defaults are shared by every instance.
        object.__setattr__(self, "by_list", MappingProxyType(checked))


TARGETS = ResponseTargets()


def target_for(
    list_name: str, size: str | None, targets: ResponseTargets = TARGETS
) -> timedelta | None:
    """The response target of a lead on `list_name` of size class `size`
    (anything not a size class counts as unknown); None: no target."""
    size = size if size in SIZE_CLASSES else None
    return targets.by_list.get(list_name, {}).get(size)


def respond_by(
    became_opportunity_at: datetime,
    headcount: str | None,
    targets: ResponseTargets,
    hours: BusinessHours,
    holiday: Holidays,
    zone: tzinfo,
    *,
    list_name: str = "opportunity",
) -> datetime | None:
    """When the lead needs its first answer (UTC): the moment it came onto
    the list + the target for its size class, in business time (outside
    business hours the count starts at the next opening). None: no target."""
    target = target_for(list_name, size_class(headcount), targets)
    if target is None:
        return None
    return add_business_time(became_opportunity_at, target, hours, holiday, zone)


def targets_to_dict(targets: ResponseTargets) -> dict:
    """As stored (JSON): minutes per list and size class, null for none; every
    list and size class written, so reading it back needs no defaults."""
    return {
        list_name: {
            _size_key(size): _minutes(target_for(list_name, size, targets)) for size in SIZE_CLASSES
        }
        for list_name in TARGET_LISTS
    }


def targets_from_dict(stored: Mapping, base: ResponseTargets = TARGETS) -> ResponseTargets:
    """The stored targets over `base`; never fails: a list or size class
    missing, or a value that is not a usable number of minutes, keeps `base`'s."""
    by_list = {}
    for list_name in TARGET_LISTS:
        stored_list = stored.get(list_name)
        by_size = {}
        for size in SIZE_CLASSES:
            target = target_for(list_name, size, base)
            if isinstance(stored_list, Mapping) and _size_key(size) in stored_list:
                target = _stored_target(stored_list[_size_key(size)], target)
            if target is not None:
                by_size[size] = target
        by_list[list_name] = by_size
    return ResponseTargets(by_list)


def _stored_target(raw, fallback: timedelta | None) -> timedelta | None:
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool):
        return fallback
    target = timedelta(minutes=raw)
    try:
        check_target(target)
    except TriageProblem:
        return fallback
    return target


def _size_key(size: str | None) -> str:
    return UNKNOWN_SIZE_KEY if size is None else size


def _minutes(target: timedelta | None) -> int | None:
    return None if target is None else target // timedelta(minutes=1)
