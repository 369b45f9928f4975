"""Write transactions: taken as a writer from the start, committed keeping
what the request goes on to show."""

from ..extensions import db
from .connections import WRITE_OPTION


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
