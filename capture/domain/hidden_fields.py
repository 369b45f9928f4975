"""Hidden fields: values the host page passes with a submission (a plan the
visitor looked at, an internal campaign id), declared per form by name and label.

The rules for a form's declarations and for the values a page may pass, as
plain functions: no request, no database.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .vocabulary import CLICK_ID_PARAMS, OPTIONAL_QUESTIONS, UTM_PARAMS

# Lowercase because HTML lowercases attribute names: data-field-Plan is data-field-plan.
NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_FIELDS = 10
MAX_LABEL = 80
MAX_VALUE = 200
# The loader passes data-field-<name> as the query parameter field_<name>.
PARAM_PREFIX = "field_"

# Names the form's pages already read or post: its own fields, the attribution
# the loader passes, the page's own parameters. A hidden field by one of these
# names would take another's value, or give it.
RESERVED_NAMES = frozenset(
    {
        *("email", "name", "company", "sector", "headcount", "consent", "marketing"),
        *OPTIONAL_QUESTIONS,
        *UTM_PARAMS,
        *CLICK_ID_PARAMS,
        *("referrer", "landing_page", "page_url", "channel", "embed", "lang"),
        *("token", "step", "step_token", "lg_trap", "csrf_token"),
        # The snippet's own attributes (data-form, data-target, ...).
        *("form", "slug", "target", "title", "remember"),
    }
)
# utm_: campaign parameters to come; lg_: Leadgate's own; field_: would read
# as the loader's parameter for another name.
RESERVED_PREFIXES = ("utm_", "lg_", PARAM_PREFIX)

# What can be wrong with a row of declarations (Problem.code).
NAME_MISSING = "name_missing"
NAME_FORM = "name_form"
NAME_RESERVED = "name_reserved"
NAME_REPEATED = "name_repeated"
LABEL_MISSING = "label_missing"
LABEL_TOO_LONG = "label_too_long"
TOO_MANY = "too_many"


@dataclass(frozen=True)
class Problem:
    """What is wrong with row `row` (counted from 0) of the declarations as
    typed: its `part` ("name" or "label"), and which rule it breaks (`code`)."""

    row: int
    part: str
    code: str


@dataclass(frozen=True)
class Declarations:
    """A form's hidden fields as checked: `fields` to store ({"name", "label"}
    each), or the `problems` that keep them from being stored."""

    fields: tuple[dict, ...] = ()
    problems: tuple[Problem, ...] = ()


def param_name(name: str) -> str:
    """The query parameter (and hidden input) that carries field `name`."""
    return PARAM_PREFIX + name


def _name_problem(name: str) -> str | None:
    if not NAME.fullmatch(name):
        return NAME_FORM
    if name in RESERVED_NAMES or name.startswith(RESERVED_PREFIXES):
        return NAME_RESERVED
    return None


def valid_name(name) -> bool:
    """Whether `name` may name a hidden field."""
    return isinstance(name, str) and _name_problem(name) is None


def _row_problems(row: int, name: str, label: str, seen: set[str], kept: int) -> list[Problem]:
    problems = []
    name_problem = NAME_MISSING if not name else _name_problem(name)
    if name_problem is None and name in seen:
        name_problem = NAME_REPEATED
    if name_problem is None and kept >= MAX_FIELDS:
        name_problem = TOO_MANY
    if name_problem:
        problems.append(Problem(row, "name", name_problem))
    if not label:
        problems.append(Problem(row, "label", LABEL_MISSING))
    elif len(label) > MAX_LABEL:
        problems.append(Problem(row, "label", LABEL_TOO_LONG))
    return problems


def check_declarations(rows: Iterable[tuple[str, str]]) -> Declarations:
    """Check a form's hidden fields as typed: (name, label) rows, trimmed.

    A row with neither is ignored (the editor shows a few empty rows). Names
    follow NAME, are not reserved and not repeated; at most MAX_FIELDS rows
    are kept; each needs a label of at most MAX_LABEL characters.
    """
    fields, problems, seen = [], [], set()
    for row, (name, label) in enumerate(rows):
        if not name and not label:
            continue
        found = _row_problems(row, name, label, seen, len(fields))
        problems += found
        seen.add(name)
        if not found:
            fields.append({"name": name, "label": label})
    if problems:
        return Declarations(problems=tuple(problems))
    return Declarations(fields=tuple(fields))


def clean_value(value) -> str | None:
    """A value as stored: a string without control characters (whitespace
    among them turns into a space), trimmed, cut at MAX_VALUE; None when
    nothing is left."""
    if not isinstance(value, str):
        return None
    kept = (" " if char.isspace() else char for char in value)
    text = "".join(char for char in kept if char.isprintable())
    return text.strip()[:MAX_VALUE].rstrip() or None


def first_values(names: Iterable[str], sources: Sequence[Mapping]) -> dict[str, str]:
    """For each of `names`, the first value that is not empty once cleaned,
    looking in `sources` in order (each name -> raw value); names without
    one are left out."""
    found = {}
    for name in names:
        for source in sources:
            value = clean_value(source.get(name))
            if value is not None:
                found[name] = value
                break
    return found
