"""A returning lead's answers: a later submission is evidence, not authority.

Anyone can type anyone's e-mail address, so what a returning lead sends
fills the answers it left empty, and an answer that differs from a stored
one is kept aside for a person to check instead of replacing it.
"""

from dataclasses import dataclass, field

from .routing import Routing

# The lists from lowest to highest: automatic routing of a returning lead
# may only climb this ladder.
LIST_LADDER = ("disqualified", "nurture", "opportunity")


def _blank(value) -> bool:
    return value is None or str(value).strip() == ""


def same_answer(stored, given) -> bool:
    """Whether two answers say the same, trimmed and case-folded."""
    return str(stored).strip().casefold() == str(given).strip().casefold()


@dataclass(frozen=True)
class AnswerMerge:
    """What a returning lead's submission does to its stored answers."""

    # Answers for fields that were empty: taken as given.
    taken: dict = field(default_factory=dict)
    # Answers that differ from a stored one: the stored one stays.
    differing: dict = field(default_factory=dict)


def merge_answers(stored: dict, given: dict) -> AnswerMerge:
    """Split `given` against `stored` (both name -> answer, same names).

    A blank given answer changes nothing; one that fills a blank stored
    answer is taken; one that differs from a non-blank stored answer is
    differing; the same answer in another case or spacing is neither.
    """
    taken, differing = {}, {}
    for name, value in given.items():
        if _blank(value):
            continue
        if _blank(stored.get(name)):
            taken[name] = value
        elif not same_answer(stored[name], value):
            differing[name] = value
    return AnswerMerge(taken, differing)


def never_down(current_list: str, current_reason: str, proposed: Routing) -> Routing:
    """`proposed` when it keeps or raises the lead's list, else the list it is on."""
    if LIST_LADDER.index(proposed.list) < LIST_LADDER.index(current_list):
        return Routing(current_list, current_reason)
    return proposed
