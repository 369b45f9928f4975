"""Who follows up a lead: choosing its owner.

The contract (PRODUCT.md, "Who follows up, and by when"), first match wins:

1. a lead entered by hand goes to the person who enters it, when they take leads;
2. a returning lead keeps its owner while that person takes leads and is not away;
3. the admin's assignment rules (size class, sector, channel, form → a person),
   in order; a rule whose person is unavailable is passed over;
4. weighted round robin over the people available.

Nobody available: no owner. Every outcome says why, in words stored on the
lead's assignment log. The round robin is smooth weighted round robin (as in
nginx): each available person's credit grows by their weight, the one with
the most credit gets the lead and pays the total back. Over any run of picks
each person's share is within one lead of their weight's share, and the
order interleaves people instead of giving one of them a streak. The
credits are the turn: stored by the caller, taken and written back under a
lock, so no turn is given twice or skipped.

Pure: no Flask, no database. Times are the business's local dates.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from .vocabulary import size_class

DEFAULT_WEIGHT = 2
MAX_WEIGHT = 10

# What is wrong with typed settings (the pages word them in the reader's language).
ABSENCE_BACKWARDS = "An absence cannot end before it starts."
WEIGHT_OUT_OF_RANGE = f"A weight is a whole number from 1 to {MAX_WEIGHT}."
RULE_WITHOUT_CRITERIA = "A rule needs at least one of size, sector, channel or form."
# Why a lead that needs an owner has none (logged on the lead).
NOBODY_AVAILABLE = "nobody available"
# Why a lead went by the turns (logged; a logged reason starting so was a turn).
ROUND_ROBIN = "round robin"


class AssignmentProblem(ValueError):
    """Settings that cannot be stored; the message is one of the constants above."""


@dataclass(frozen=True)
class Absence:
    """Away from `starts` to `ends`, both days included."""

    starts: date
    ends: date

    def __post_init__(self) -> None:
        if self.ends < self.starts:
            raise AssignmentProblem(ABSENCE_BACKWARDS)

    def covers(self, day: date) -> bool:
        return self.starts <= day <= self.ends


@dataclass(frozen=True)
class Person:
    """A user as assignment sees them.

    `takes_leads` is settled by `who_takes_leads`; `weight` is the share of
    round-robin turns (a part-timer 1, others 2).
    """

    id: int
    name: str
    takes_leads: bool = True
    weight: int = DEFAULT_WEIGHT
    absences: tuple[Absence, ...] = ()

    def __post_init__(self) -> None:
        check_weight(self.weight)

    def away_on(self, day: date) -> bool:
        return any(absence.covers(day) for absence in self.absences)

    def available_on(self, day: date) -> bool:
        return self.takes_leads and not self.away_on(day)


def check_weight(weight: int) -> None:
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= MAX_WEIGHT:
        raise AssignmentProblem(WEIGHT_OUT_OF_RANGE)


@dataclass(frozen=True)
class Account:
    """What decides whether a user takes leads."""

    id: int
    role: str  # "sales" or "admin"
    active: bool
    # An admin's switch; None: the default (only while no active sales user exists).
    admin_takes_leads: bool | None = None


def who_takes_leads(accounts: Sequence[Account]) -> set[int]:
    """The ids of the users who take leads: every active sales user, and an
    active admin when switched on, or by default while no active sales user
    exists (a one-person firm needs no setup)."""
    any_sales = any(a.active and a.role == "sales" for a in accounts)
    taking = set()
    for account in accounts:
        if not account.active:
            continue
        if account.role == "sales":
            taking.add(account.id)
        elif account.role == "admin":
            switched = account.admin_takes_leads
            if switched or (switched is None and not any_sales):
                taking.add(account.id)
    return taking


@dataclass(frozen=True)
class AssignmentRule:
    """ "Large firms → Anna": the criteria given must all match; None matches anything."""

    person_id: int
    size_class: str | None = None
    sector: str | None = None
    channel: str | None = None
    form_id: int | None = None
    label: str = ""  # the rule in the admin's words, for the log

    def __post_init__(self) -> None:
        if not any((self.size_class, self.sector, self.channel, self.form_id)):
            raise AssignmentProblem(RULE_WITHOUT_CRITERIA)

    def matches(self, lead: "LeadToAssign") -> bool:
        wanted = {
            "size_class": self.size_class,
            "sector": self.sector,
            "channel": self.channel,
            "form_id": self.form_id,
        }
        return all(value is None or getattr(lead, key) == value for key, value in wanted.items())


def rules_naming_nobody(rules: Sequence[AssignmentRule], people: Sequence[Person]) -> list[int]:
    """The numbers of the rules that name someone who does not take leads
    (deactivated, an admin not switched on, unknown): such rules cannot be stored."""
    taking = {person.id for person in people if person.takes_leads}
    return [number for number, rule in enumerate(rules, start=1) if rule.person_id not in taking]


@dataclass(frozen=True)
class LeadToAssign:
    """What assignment looks at of a lead."""

    headcount: str | None = None
    sector: str | None = None
    channel: str | None = None
    form_id: int | None = None
    owner_id: int | None = None  # its current owner, for a returning lead
    entered_by_id: int | None = None  # the person entering it by hand

    @property
    def size_class(self) -> str | None:
        return size_class(self.headcount)


@dataclass(frozen=True)
class Turn:
    """The round robin's state: each person's credit (see the module docstring),
    and how many turns were given so far (the number of the last one)."""

    credits: Mapping[int, int] = field(default_factory=dict)
    number: int = 0


@dataclass(frozen=True)
class Assignment:
    """The chosen person (None: nobody available), why, and the turn after it."""

    person_id: int | None
    why: str
    turn: Turn
    rule: int | None = None  # the 1-based number of the rule that chose


def assign(
    lead: LeadToAssign,
    people: Sequence[Person],
    rules: Sequence[AssignmentRule],
    turn: Turn,
    today: date,
) -> Assignment:
    """Choose the owner of `lead` on `today` (see the module docstring)."""
    by_id = {person.id: person for person in people}
    entering = by_id.get(lead.entered_by_id) if lead.entered_by_id is not None else None
    if entering is not None and entering.takes_leads:
        return Assignment(entering.id, "entered by hand", turn)
    owner = by_id.get(lead.owner_id) if lead.owner_id is not None else None
    if owner is not None and owner.available_on(today):
        return Assignment(owner.id, "keeps its owner", turn)
    passed_over = []
    for number, rule in enumerate(rules, start=1):
        if not rule.matches(lead):
            continue
        person = by_id.get(rule.person_id)
        if person is not None and person.available_on(today):
            why = f"rule {number}" + (f": {rule.label}" if rule.label else "")
            return Assignment(person.id, why, turn, rule=number)
        passed_over.append(number)
    chosen, after = round_robin([p for p in people if p.available_on(today)], turn)
    if chosen is None:
        return Assignment(None, NOBODY_AVAILABLE, turn)
    why = ROUND_ROBIN
    if passed_over:
        numbers = ", ".join(str(n) for n in passed_over)
        why += f" (rule {numbers}: that person is unavailable)"
    return Assignment(chosen.id, why, after)


def round_robin(available: Sequence[Person], turn: Turn) -> tuple[Person | None, Turn]:
    """The next person of `available` by weight, and the turn after; ties go
    to the lower id, so the order is the same on every worker."""
    if not available:
        return None, turn
    credits = dict(turn.credits)
    for person in available:
        credits[person.id] = credits.get(person.id, 0) + person.weight
    chosen = max(available, key=lambda person: (credits[person.id], -person.id))
    credits[chosen.id] -= sum(person.weight for person in available)
    return chosen, Turn(credits, turn.number + 1)


def give_back(available: Sequence[Person], turn: Turn, person_id: int) -> Turn:
    """The turn as if `person_id`'s last pick among `available` had not been
    made (a lead taken back from them for a rule): the pick's credits undone.
    Picks only add to credits, so undoing one later gives the same credits
    as never making it. The turns' count stays: a number is never reused."""
    if not any(person.id == person_id for person in available):
        return turn
    credits = dict(turn.credits)
    for person in available:
        credits[person.id] = credits.get(person.id, 0) - person.weight
    credits[person_id] += sum(person.weight for person in available)
    return Turn(credits, turn.number)


def needs_owner(to_list: str, nurture_gets_owners: bool = False) -> bool:
    """Whether a lead on `to_list` has an owner: every opportunity; nurture
    only when the admin switched that on; a disqualified lead never."""
    return to_list == "opportunity" or (to_list == "nurture" and nurture_gets_owners)


@dataclass(frozen=True)
class AssignmentSettings:
    """The admin's part of assignment: the rules, in order, and whether
    nurture leads get an owner too."""

    rules: tuple[AssignmentRule, ...] = ()
    nurture_owners: bool = False


RULE_CRITERIA = ("size_class", "sector", "channel", "form_id")


def settings_to_dict(settings: AssignmentSettings) -> dict:
    """As stored (JSON): only the criteria a rule has."""
    rules = []
    for rule in settings.rules:
        stored = {"person_id": rule.person_id, "label": rule.label}
        stored |= {key: getattr(rule, key) for key in RULE_CRITERIA if getattr(rule, key)}
        rules.append(stored)
    return {"rules": rules, "nurture_owners": settings.nurture_owners}


def settings_from_dict(stored: Mapping) -> AssignmentSettings:
    """The stored settings; a rule that no longer makes sense (no criteria) is left out."""
    rules = []
    for raw in stored.get("rules", ()):
        try:
            rules.append(
                AssignmentRule(
                    person_id=int(raw["person_id"]),
                    label=str(raw.get("label") or ""),
                    **{key: raw.get(key) for key in RULE_CRITERIA},
                )
            )
        except (AssignmentProblem, KeyError, TypeError, ValueError):
            continue
    return AssignmentSettings(tuple(rules), bool(stored.get("nurture_owners", False)))
