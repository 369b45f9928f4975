"""How Leadgate's database connections behave: SQLite in WAL mode with a busy
timeout and `BEGIN IMMEDIATE` for writers, and no connection shared across a
fork (gunicorn's preload_app). Imported by the app factory: the hooks apply
to every engine of the process."""

import os
import sqlite3
import time
import weakref

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db

# RETURNING came with SQLite 3.35.
SQLITE_AT_LEAST = (3, 35)
# How long SQLite waits for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 10_000
# The execution option that makes a transaction a writer (see transactions.py).
WRITE_OPTION = "leadgate_writer"


# The apps of this process, for the child of a fork (gunicorn's preload_app).
loaded_apps: "weakref.WeakSet[Flask]" = weakref.WeakSet()


def _forget_parent_connections() -> None:
    # A worker forked from a process that had connected must not use the
    # parent's connections: the child drops its copies, unclosed.
    for app in list(loaded_apps):
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_parent_connections)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL and a busy timeout, so several gunicorn workers can share the file.

    The driver's own transaction handling is switched off so that
    `_sqlite_begin` decides how each transaction starts.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    if sqlite3.sqlite_version_info < SQLITE_AT_LEAST:
        # The intake writes with INSERT/UPDATE ... RETURNING (capture/db/rows.py).
        raise RuntimeError(
            f"Leadgate needs SQLite {'.'.join(map(str, SQLITE_AT_LEAST))} or newer; "
            f"this Python has {sqlite3.sqlite_version}. Use PostgreSQL or a newer Python build."
        )
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get(WRITE_OPTION):
        _begin_immediate(connection)
    else:
        connection.exec_driver_sql("BEGIN")


def _begin_immediate(connection) -> None:
    """BEGIN IMMEDIATE, waiting for another writer in short, even steps.

    SQLite's own busy handler sleeps longer and longer (up to 100 ms a try)
    while the lock is taken, so under load a writer often sleeps on while
    the lock is free: requests queue and the slowest ones take a tenth of a
    second more. Here each try is a few microseconds and the pause stays at
    most 2 ms, for the same busy timeout in all.
    """
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.0002
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.002)
        # Out of time: one more try, whose "database is locked" SQLAlchemy reports.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
