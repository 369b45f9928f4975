"""Row ids taken from a URL or a form: only those an id column can hold.

Every id column is an INTEGER, 32 bits on PostgreSQL (SQLite holds 64), so
an id is 1 to 2**31 - 1. A larger one made SQLite raise OverflowError (a 500)
before the lookup could say "not found"; now it is simply not found (404).
"""

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1


def is_row_id(value) -> bool:
    """Whether `value` is an int that could be the id of a row."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


class RowIdConverter(IntegerConverter):
    """`<int:...>` in this app (create_app puts it in place of Werkzeug's): an
    id from 1 to MAX_ID in ASCII digits; any other number matches no route, so
    the answer is 404."""

    # Werkzeug's `\d+` also takes other scripts' digits ("١٢" would be 12).
    regex = r"[0-9]+"

    # Werkzeug's parameter names, `map`, `min` and `max` included.
    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = 1,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
