"""Flask extensions, created unbound here and bound in `create_app`."""

import sqlite3

from flask import g, request
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


def select_locale() -> str:
    """The visitor's language: `?lang=` (the embed's `data-lang`), the form's
    own language, then the browser's preference."""
    for asked in (request.args.get("lang", ""), g.get("form_language") or ""):
        if asked in VISITOR_LOCALES:
            return asked
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
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    writer = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


WRITE_OPTION = "leadgate_writer"


def begin_write() -> None:
    """Start the session's next transaction as a writer.

    On SQLite this is BEGIN IMMEDIATE: the write lock is taken (waiting up to
    the busy timeout) before anything is read. A transaction that reads first
    and writes later fails at once with "database is locked" when another
    worker wrote in between, whatever the timeout. Any open (read)
    transaction is committed first. PostgreSQL ignores the option.
    """
    if db.session().in_transaction():
        db.session.commit()
    db.session.connection(execution_options={WRITE_OPTION: True})
