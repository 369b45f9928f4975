"""Flask extensions, created unbound here and bound in `create_app`."""

import os
import sqlite3
import time
import weakref

from flask import Flask, g, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Stable constraint names, so migrations can alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

VISITOR_LOCALES = ("en", "nl")
# How long SQLite waits for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 10_000


def app_store(app: Flask, name: str, make):
    """The object `app` keeps under `name` for its process, made by `make()`
    on first use (a cache, a tally: never shared between apps)."""
    kept = app.extensions.get(name)
    if kept is None:
        kept = app.extensions.setdefault(name, make())
    return kept


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


def select_locale() -> str:
    """The page's language.

    A visitor's page (the public form, the embed, static files): `?lang=`
    (the embed's `data-lang`), the form's own language, then the browser's
    preference. Any other page: the logged-in user's chosen language, then
    the browser's preference.
    """
    # Imported here, beside its only use in this module.
    from flask_login import current_user

    if request.blueprint in (None, "intake", "embed"):
        for asked in (request.args.get("lang", ""), g.get("form_language") or ""):
            if asked in VISITOR_LOCALES:
                return asked
    else:
        # Anonymous users have no language; a stored value no longer offered is ignored.
        chosen = getattr(current_user, "language", None)
        if chosen in VISITOR_LOCALES:
            return chosen
    return request.accept_languages.best_match(VISITOR_LOCALES) or "en"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL and a busy timeout, so several gunicorn workers can share the file.

    The driver's own transaction handling is switched off so that
    `_sqlite_begin` decides how each transaction starts.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
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


WRITE_OPTION = "leadgate_writer"


def begin_write(keep_loaded: bool = False) -> None:
    """Start the session's next transaction as a writer.

    On SQLite this is BEGIN IMMEDIATE: the write lock is taken (waiting up to
    the busy timeout) before anything is read. A transaction that reads first
    and writes later fails at once with "database is locked" when another
    worker wrote in between, whatever the timeout. Any open (read)
    transaction is committed first; `keep_loaded` keeps what it loaded
    instead of reading it again (for rows the writer only reads, such as the
    form being posted). PostgreSQL ignores the option.
    """
    if db.session().in_transaction():
        if keep_loaded:
            commit_keeping_loaded()
        else:
            db.session.commit()
    db.session.connection(execution_options={WRITE_OPTION: True})


def commit_keeping_loaded() -> None:
    """Commit without expiring the session's objects.

    For a request that goes on to render what it has just written: the rows
    are as stored, so reading them back would only cost round trips.
    """
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
