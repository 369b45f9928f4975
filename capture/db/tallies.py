"""Anonymous counters each worker gathers in memory and writes every few
seconds: the forms' views (capture/leads/funnel_counts.py) and the sites
that show them (capture/leads/embed_counts.py).

Writing each count in its own transaction was a third of the database
writes of a visit and, on SQLite, a turn at the write lock for every page
shown. Counts are added to a tally instead and written together,
`LEADS_VIEW_COUNT_SECONDS` after the first one waiting (by a timer thread),
and when the process exits or is told to stop. A worker killed hard loses
the counts of its last few seconds, never a submission.
"""

import atexit
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from threading import Event, Lock, Thread, Timer

from flask import Flask
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..web.errors import release_session
from .connections import loaded_apps
from .process_store import app_store
from .transactions import begin_write

# Keys a tally holds between two writes: junk keys (an origin per request)
# cannot grow a worker's memory beyond this.
MOST_WAITING = 5000
# Set when the process is told to stop: counts are written as they come.
_stopping = Event()


@dataclass(frozen=True)
class Counted:
    """What a tally counts.

    `name` keeps one tally per app and process; `what` names the counts in
    the log; `add_rows(connection, counts)` adds the (key, n) pairs, sorted,
    to the database inside the tally's transaction.
    """

    name: str
    what: str
    add_rows: Callable[[Connection, list[tuple[Hashable, int]]], None]
    most_waiting: int = MOST_WAITING


class Tally:
    """One worker's counts of one kind, waiting to be written."""

    def __init__(self, app: Flask, counted: Counted, seconds: float, stopped: bool = False):
        self.app, self.counted, self.seconds = app, counted, seconds
        self._waiting: Counter[Hashable] = Counter()
        self._dropped = 0
        self._lock = Lock()
        self._writing = Lock()  # the exit's flush waits for the timer's write in flight
        self._timer: Timer | None = None
        self._stopped = stopped
        atexit.register(self.flush)

    def add(self, key: Hashable) -> None:
        """Count one of `key`. A new key beyond `most_waiting` is dropped, with
        one warning until the next write."""
        with self._lock:
            room = key in self._waiting or len(self._waiting) < self.counted.most_waiting
            if room:
                self._waiting[key] += 1
            else:
                self._dropped += 1
            first_dropped = not room and self._dropped == 1
            at_once = self._stopped
            if not at_once and self._timer is None:
                self._timer = Timer(self.seconds, self.flush)
                self._timer.daemon = True
                self._timer.start()
        if first_dropped:
            self.app.logger.warning(
                "%s: more than %s kinds waiting; new ones are not counted until the next write",
                self.counted.what,
                self.counted.most_waiting,
            )
        if at_once:
            self.flush()

    def stop(self) -> None:
        """Write the counts waiting, and from now on each one as it comes."""
        with self._lock:
            self._stopped = True
        self.flush()

    def flush(self) -> None:
        """Write the counts waiting (on failure they are logged and given up)."""
        with self._writing:
            with self._lock:
                waiting, self._waiting, self._dropped = self._waiting, Counter(), 0
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
            if waiting:
                write_counts(self.app, self.counted, waiting)


def write_counts(app: Flask, counted: Counted, counts: Counter) -> None:
    """Add `counts` (key -> n) to the database, in one transaction.

    Counts that cannot be written (the database busy or down) are given up
    and logged: the visitor's page matters more than the count. For the
    same reason PostgreSQL need not wait for the disk before the commit
    returns: a crash in that instant can lose a few counts, never a
    submission.
    """
    with app.app_context():
        try:
            begin_write()
            connection = db.session.connection()
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
            # Sorted: two workers writing the same rows lock them in one order.
            counted.add_rows(connection, sorted(counts.items()))
            db.session.commit()
        except SQLAlchemyError:
            app.logger.warning(
                "%s %s not counted", sum(counts.values()), counted.what, exc_info=True
            )
        finally:
            release_session()


def tally(app: Flask, counted: Counted) -> Tally:
    """The app's tally of `counted` (one per process)."""
    seconds = app.config["LEADS_VIEW_COUNT_SECONDS"]
    return app_store(app, counted.name, lambda: Tally(app, counted, seconds, _stopping.is_set()))


def gather(app: Flask, counted: Counted, key: Hashable) -> None:
    """Count one of `key` (it runs after the page was sent): gathered in
    memory and written shortly after, or at once when
    LEADS_VIEW_COUNT_SECONDS is 0."""
    if app.config["LEADS_VIEW_COUNT_SECONDS"] <= 0:
        write_counts(app, counted, Counter({key: 1}))
    else:
        tally(app, counted).add(key)


def stop_gathering() -> None:
    """The process is told to stop (gunicorn's SIGTERM): write what every
    tally of every app here gathered now, rather than at its exit, which a
    stalled connection can delay until the process is killed; later counts
    at once.

    Safe in a signal handler: the writes run in threads of their own, so the
    handler never waits for a lock the code it interrupted may hold.
    """
    _stopping.set()
    for app in list(loaded_apps):
        for kept in list(app.extensions.values()):
            if isinstance(kept, Tally):
                Thread(target=kept.stop, name="leadgate-tally-stop").start()
