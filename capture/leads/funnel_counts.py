"""Anonymous funnel counters: a form shown, its steps sent, its e-book downloaded.

Each event adds one to the form's tally for its 15-minute slot (FormCount):
no visitor, address or cookie is involved, so they can be kept for good.
"""

import atexit
from collections import Counter
from datetime import datetime, timedelta
from functools import lru_cache
from threading import Event, Lock, Thread, Timer

from flask import Flask
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from ..db.connections import loaded_apps
from ..db.process_store import app_store
from ..db.transactions import begin_write
from ..extensions import db
from ..models import FORM_EVENTS, FormCount, utcnow
from ..web.errors import release_session

SLOT = timedelta(minutes=15)
TALLY = "leadgate.view_tally"
# Set when the process is told to stop: views are written as they come.
_stopping = Event()


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


class ViewTally:
    """Form views counted in memory by one worker and written every few seconds.

    Writing each view in its own transaction was a third of the database
    writes of a visit and, on SQLite, a turn at the write lock for every page
    shown. Views are added here instead and written together, one upsert per
    form and slot, `LEADS_VIEW_COUNT_SECONDS` after the first one waiting
    (by a timer thread), and when the process exits or is told to stop
    (`stop`). A worker killed hard loses the views of its last few seconds,
    never a submission.
    """

    def __init__(self, app: Flask, seconds: float, stopped: bool = False) -> None:
        self.app, self.seconds = app, seconds
        self._waiting: Counter[tuple[int, datetime]] = Counter()
        self._lock = Lock()
        self._writing = Lock()  # the exit's flush waits for the timer's write in flight
        self._timer: Timer | None = None
        self._stopped = stopped
        atexit.register(self.flush)

    def add(self, form_id: int, when: datetime) -> None:
        with self._lock:
            self._waiting[(form_id, slot_of(when))] += 1
            at_once = self._stopped
            if not at_once and self._timer is None:
                self._timer = Timer(self.seconds, self.flush)
                self._timer.daemon = True
                self._timer.start()
        if at_once:
            self.flush()

    def stop(self) -> None:
        """Write the views waiting, and from now on each one as it comes."""
        with self._lock:
            self._stopped = True
        self.flush()

    def flush(self) -> None:
        """Write the views waiting (on failure they are logged and given up)."""
        with self._writing:
            with self._lock:
                waiting, self._waiting = self._waiting, Counter()
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
            if waiting:
                _write_views(self.app, waiting)


def _write_views(app: Flask, views: Counter) -> None:
    """Add `views` ((form_id, slot) -> n) to the tallies, in one transaction.

    A tally that cannot be written (the database busy or down) is given up
    and logged: the visitor's form matters more than the count. For the same
    reason PostgreSQL need not wait for the disk before the commit returns:
    a crash in that instant can lose a few view counts, never a submission.
    """
    with app.app_context():
        try:
            begin_write()
            connection = db.session.connection()
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
            statement = _add_some(connection.dialect.name)
            # Sorted: two workers writing the same rows lock them in one order.
            for (form_id, slot), number in sorted(views.items()):
                connection.execute(
                    statement, {"form_id": form_id, "event": "view", "slot": slot, "n": number}
                )
            db.session.commit()
        except SQLAlchemyError:
            app.logger.warning("%s form views not counted", sum(views.values()), exc_info=True)
        finally:
            release_session()


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


def view_tally(app: Flask) -> ViewTally:
    """The app's tally of views waiting to be written (one per process)."""
    seconds = app.config["LEADS_VIEW_COUNT_SECONDS"]
    return app_store(app, TALLY, lambda: ViewTally(app, seconds, _stopping.is_set()))


def stop_gathering_views() -> None:
    """The process is told to stop (gunicorn's SIGTERM): write the views every
    app here gathered now, rather than at its exit, which a stalled
    connection can delay until the process is killed; later views at once.

    Safe in a signal handler: the writes run in threads of their own, so the
    handler never waits for a lock the code it interrupted may hold.
    """
    _stopping.set()
    for app in list(loaded_apps):
        tally = app.extensions.get(TALLY)
        if tally is not None:
            Thread(target=tally.stop, name="leadgate-views-stop").start()


def count_view(app: Flask, form_id: int) -> None:
    """Count one showing of a form (it runs after the page was sent): gathered
    in memory and written shortly after, or at once when
    LEADS_VIEW_COUNT_SECONDS is 0."""
    if app.config["LEADS_VIEW_COUNT_SECONDS"] <= 0:
        _write_views(app, Counter({(form_id, slot_of(utcnow())): 1}))
    else:
        view_tally(app).add(form_id, utcnow())
