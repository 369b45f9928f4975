"""The app's routes with a row id in them, for tests that try every one.

Read from the url_map of an app built for the purpose (no database is
opened), so a new route with an id is tried without anyone listing it.
"""

import re
import tempfile
from functools import cache

from capture import create_app

# `<converter(args):name>` or `<name>` in a rule.
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# Values for the other arguments of those routes.
SAMPLES = {"fmt": "svg"}


def _is_id(converter: str | None, name: str) -> bool:
    return converter == "int" or name.endswith("_id")


@cache
def id_routes() -> tuple[tuple[str, str], ...]:
    """(rule, method) for every route with an id in its path, HEAD and OPTIONS left out."""
    app = create_app(
        {
            "SECRET_KEY": "routes-only",
            "DATABASE_URL": "sqlite://",
            "INSTANCE_PATH": tempfile.gettempdir() + "/leadgate-routes",
        }
    )
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if any(_is_id(*match.groups()) for match in ARGUMENT.finditer(rule.rule)):
            found += [(rule.rule, method) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return tuple(found)


def path_for(rule: str, raw_id: str) -> str:
    """The path of `rule` with `raw_id`, as sent, in every id position."""

    def value(match: re.Match) -> str:
        converter, name = match.groups()
        return raw_id if _is_id(converter, name) else SAMPLES.get(name, "x")

    return ARGUMENT.sub(value, rule)


def role_for(rule: str) -> str:
    """The role that may open `rule`: admin pages need an admin."""
    return "admin" if rule.startswith("/admin") else "sales"
