"""Anonymous funnel counters: a form shown, its steps sent, its e-book downloaded.

Each event adds one to the form's tally for its 15-minute slot (FormCount):
no visitor, address or cookie is involved, so they can be kept for good.
"""

from datetime import datetime, timedelta
from functools import lru_cache

from flask import Flask
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from .errors import release_session
from .extensions import begin_write, db
from .models import FORM_EVENTS, FormCount, utcnow

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
    statement = _add_one(connection.dialect.name)
    connection.execute(statement, {"form_id": form_id, "event": event, "slot": slot})


@lru_cache(maxsize=2)
def _add_one(dialect: str):
    """INSERT … ON CONFLICT DO UPDATE adding one, built once per dialect."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(FormCount.__table__).values(
        form_id=bindparam("form_id"), event=bindparam("event"), slot=bindparam("slot"), count=1
    )
    return statement.on_conflict_do_update(
        index_elements=["form_id", "event", "slot"],
        set_={"count": FormCount.__table__.c.count + 1},
    )


def count_view(app: Flask, form_id: int) -> None:
    """Count one showing of a form, in its own app context and transaction
    (it runs after the page was sent).

    A tally that cannot be written (the database busy or down) is given up
    and logged: the visitor's form matters more than the count. For the same
    reason PostgreSQL need not wait for the disk before the commit returns:
    a crash in that instant can lose a few view counts, never a submission.
    """
    with app.app_context():
        try:
            begin_write()
            if db.session.connection().dialect.name == "postgresql":
                db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            count_form_event(form_id, "view")
            db.session.commit()
        except SQLAlchemyError:
            app.logger.warning("form view of form %s not counted", form_id, exc_info=True)
        finally:
            release_session()
