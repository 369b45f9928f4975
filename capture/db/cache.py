"""What a worker keeps for itself: one cache per app and process.

The public form is the busiest page, and most of its work used to be
reading what admins rarely change (the form's settings, the rules) and
rendering what is the same for every visitor (a blank step, a blank field).
All of that is kept here, in named parts:

- each part has its own time-to-live (`ttl`, seconds; None: until forgotten)
  and size bound (`keep` entries; the least recently used go first);
- everything is emptied when a row it keeps something of (a form, the rules;
  declared with `forget_on_write` next to the read) is saved in this
  process, whoever saves it: as soon as it is flushed and again once
  committed, so the change shows at once here;
- another worker or instance sees such a change within the part's `ttl`,
  which is why what is read from the database is kept for `FRESH_FOR` only.

What is kept must be plain data or markup, never an ORM object: it outlives
the session it was read in and is shared by the process's threads (every
change to the store is made under its lock).
"""

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from .process_store import app_store

# How long a worker keeps what it read from the database (a form, the rules).
FRESH_FOR = 5.0
KEEP = 256
T = TypeVar("T")


class ProcessCache:
    """part -> key -> (value, kept at), each part in least-recently-used order."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._parts: dict[str, OrderedDict[Hashable, tuple[object, float]]] = {}
        self._lock = Lock()
        self._generation = 0  # moved on by every forget()
        self.clock = clock

    def get(
        self,
        part: str,
        key: Hashable,
        make: Callable[[], T],
        ttl: float | None = FRESH_FOR,
        keep: int = KEEP,
    ) -> T:
        """The value kept under `part` and `key`, or `make()`'s, kept from now.

        A None from `make` (no such form) is not kept: it may be created.
        Nor is a value made while another thread emptied the store: it may
        have been read before the change that emptied it.
        """
        now = self.clock()
        with self._lock:
            entries = self._parts.setdefault(part, OrderedDict())
            kept = entries.get(key)
            if kept is not None and (ttl is None or now - kept[1] < ttl):
                entries.move_to_end(key)
                return kept[0]  # type: ignore[return-value]
            generation = self._generation
        value = make()
        with self._lock:
            if value is not None and generation == self._generation:
                entries = self._parts.setdefault(part, OrderedDict())
                entries[key] = (value, now)
                entries.move_to_end(key)
                while len(entries) > keep:
                    entries.popitem(last=False)
        return value

    def size(self, part: str) -> int:
        with self._lock:
            return len(self._parts.get(part, ()))

    def forget(self) -> None:
        """Empty every part."""
        with self._lock:
            self._parts.clear()
            self._generation += 1


def process_cache(app: Flask | None = None) -> ProcessCache:
    """The cache of `app` (the current app by default) in this process."""
    return app_store(app or current_app._get_current_object(), "leadgate.cache", ProcessCache)


# model -> which of its rows something in the cache was read from (one test per reader)
_WATCHED: dict[type, list[Callable[[object], bool]]] = {}
_FORGET = "leadgate.forget_cache"


def forget_on_write(model: type, which: Callable[[object], bool] = lambda _row: True) -> None:
    """Empty the cache whenever a row of `model` (those `which` picks) is saved
    in this process. Each reader declares its own rows; all of them count."""
    _WATCHED.setdefault(model, []).append(which)


def _watched(instance) -> bool:
    return any(which(instance) for which in _WATCHED.get(type(instance), ()))


@event.listens_for(Session, "after_flush")
def _forget_when_written(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(_watched(instance) for instance in changed) and has_app_context():
        # Now (this request reads its own change), and again once committed:
        # another thread of this process may read the old row in between.
        session.info[_FORGET] = True
        process_cache().forget()


@event.listens_for(Session, "after_commit")
def _forget_once_committed(session: Session) -> None:
    if session.info.pop(_FORGET, False) and has_app_context():
        process_cache().forget()
