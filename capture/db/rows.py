"""Rows written with plain Core statements, for the visitor's post.

A visitor's post stores a lead, a submission and a list change, and on
SQLite holds the write lock while it does. Through the ORM (its unit of
work, or ORM-enabled INSERT ... RETURNING, which loads an object from each
row) that took about three times the CPU of the statements themselves
(bench/intake_throughput.py --profile). The intake therefore works on
`Record`s: a row's values as the statement returned them, not ORM objects.
Nothing here touches the session's objects; pages that work on ORM objects
(sales, admin) load them as usual.
"""

from functools import cache
from types import SimpleNamespace

from sqlalchemy import Table, bindparam

from ..extensions import db


class Record(SimpleNamespace):
    """The values of a stored row, by column name (read them, don't set them)."""

    @classmethod
    def of(cls, row) -> "Record":
        return cls(**row._mapping)


@cache
def _inserting(table: Table):
    return table.insert().returning(*table.c)


@cache
def _inserting_many(table: Table):
    return table.insert()


@cache
def _updating(table: Table):
    return table.update().where(table.c.id == bindparam("_id")).returning(*table.c)


def insert_record(model, values: dict) -> Record:
    """INSERT a `model` row with `values` (column defaults for the rest);
    the row as stored, id included."""
    statement = _inserting(model.__table__)
    return Record.of(db.session.connection().execute(statement, values).one())


def update_record(model, stored: Record, values: dict) -> Record:
    """UPDATE the `model` row `stored` with `values`; the row as stored now
    (`stored` itself when there is nothing to change)."""
    if not values:
        return stored
    # The parameters besides `_id` are the columns SET.
    statement = _updating(model.__table__)
    return Record.of(db.session.connection().execute(statement, {"_id": stored.id, **values}).one())


def insert_rows(model, rows: list[dict]) -> None:
    """INSERT `rows` of `model`, each with the same keys (column defaults
    for the columns they leave out)."""
    if rows:
        statement = _inserting_many(model.__table__)
        db.session.connection().execute(statement, rows[0] if len(rows) == 1 else rows)
