"""Anonymous funnel counters: a form shown, its steps sent, its e-book downloaded.

Each event adds one to the form's tally for its 15-minute slot (FormCount):
no visitor, address or cookie is involved, so they can be kept for good.
"""

from datetime import datetime, timedelta
from functools import lru_cache

from flask import Flask
from sqlalchemy import Connection, bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db.tallies import Counted, Tally, gather, tally
from ..extensions import db
from ..models import FORM_EVENTS, FormCount, utcnow

SLOT = timedelta(minutes=15)


def slot_of(moment: datetime) -> datetime:
    """The start of the 15-minute slot `moment` falls in (UTC).

    Every time zone's offset is a whole number of quarter hours, so a local
    midnight is always a slot edge and a period's tallies are exact.
    """
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def count_form_event(form_id: int, event: str, when: datetime | None = None) -> None:
    """Add one to `form_id`'s tally of `event`, inside the caller's transaction."""
    if event not in FORM_EVENTS:
        raise ValueError(f"unknown form event {event!r}")
    slot = slot_of(when or utcnow())
    # On the session's connection, as plain SQL: the ORM has nothing to track here.
    connection = db.session.connection()
    statement = _add_some(connection.dialect.name)
    connection.execute(statement, {"form_id": form_id, "event": event, "slot": slot, "n": 1})


def _add_views(connection: Connection, views: list[tuple[tuple[int, datetime], int]]) -> None:
    statement = _add_some(connection.dialect.name)
    for (form_id, slot), number in views:
        connection.execute(
            statement, {"form_id": form_id, "event": "view", "slot": slot, "n": number}
        )


# One upsert per form and slot, with the views a worker gathered (see capture/db/tallies.py).
VIEWS = Counted("leadgate.view_tally", "form views", _add_views)


@lru_cache(maxsize=2)
def _add_some(dialect: str):
    """INSERT … ON CONFLICT DO UPDATE adding :n, built once per dialect."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(FormCount.__table__).values(
        form_id=bindparam("form_id"),
        event=bindparam("event"),
        slot=bindparam("slot"),
        count=bindparam("n"),
    )
    return statement.on_conflict_do_update(
        index_elements=["form_id", "event", "slot"],
        set_={"count": FormCount.__table__.c.count + statement.excluded.count},
    )


def view_tally(app: Flask) -> Tally:
    """The app's tally of views waiting to be written (one per process)."""
    return tally(app, VIEWS)


def count_view(app: Flask, form_id: int) -> None:
    """Count one showing of a form (it runs after the page was sent)."""
    gather(app, VIEWS, (form_id, slot_of(utcnow())))
