"""Reads every public request makes and admins rarely change, kept per process.

Showing or posting a form needs the form's settings and the qualification
rules. Reading them from the database on every request was a fifth of a
submission's work, so each worker keeps what it read for `FRESH_FOR`
seconds:

- a change made in this process (the admin's form editor, the rules page)
  empties the store as soon as it is flushed, so it shows at once here;
- another worker or instance sees it within `FRESH_FOR` seconds.

What is kept must be plain data, never an ORM object: it outlives the
session it was read in and is shared by the process's threads.
"""

import time
from collections.abc import Callable
from threading import Lock
from typing import TypeVar

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from .process_store import app_store

FRESH_FOR = 5.0
T = TypeVar("T")

# The models whose rows are kept somewhere in the store (registered by the
# modules that keep them): a flush touching one empties the store.
_WATCHED: set[type] = set()


class KeptReads:
    """name -> (value, read at); a value older than FRESH_FOR is read again."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._values: dict[object, tuple[object, float]] = {}
        self._lock = Lock()
        self._generation = 0  # moved on by every clear
        self.clock = clock

    def get(self, key: object, read: Callable[[], T]) -> T:
        kept = self._values.get(key)
        now = self.clock()
        if kept is not None and now - kept[1] < FRESH_FOR:
            return kept[0]  # type: ignore[return-value]
        generation = self._generation
        value = read()
        with self._lock:
            # A miss (no such form) is not kept: it may be created. Nor is a
            # value read while another thread's change emptied the store.
            if value is not None and generation == self._generation:
                self._values[key] = (value, now)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._generation += 1


def kept_reads(app: Flask | None = None) -> KeptReads:
    return app_store(app or current_app._get_current_object(), "leadgate.kept_reads", KeptReads)


def watch(*models: type) -> None:
    """Empty the store whenever a row of one of `models` is written here."""
    _WATCHED.update(models)


@event.listens_for(Session, "after_flush")
def _forget_on_write(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(type(instance) in _WATCHED for instance in changed) and has_app_context():
        # Now, and again once committed: another thread of this process may
        # read the old row in between.
        session.info["leadgate.forget"] = True
        kept_reads().clear()


@event.listens_for(Session, "after_commit")
def _forget_when_committed(session: Session) -> None:
    if session.info.pop("leadgate.forget", False) and has_app_context():
        kept_reads().clear()
