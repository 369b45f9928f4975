"""Failed logins counted per e-mail address in the database, so every worker and
instance agrees, whatever the rate-limit storage and whether it is up.

After LEADS_LOGIN_LOCK_ATTEMPTS failures in a window of LEADS_LOGIN_LOCK_MINUTES
(from the first failure) the address is locked for LEADS_LOGIN_LOCK_MINUTES,
even for the right password, until an admin lifts the lock. Unknown addresses
are counted and locked the same way, so a lock tells nothing about who has an
account. Each attempt is counted *before* the password is checked: attempts
sent in parallel cannot slip past the limit, and an attempt that cannot be
counted is refused. A successful login removes the count.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db.transactions import begin_write
from ..db.types import UTCDateTime
from ..domain.identity import email_key
from ..extensions import db
from ..models import LoginFailure, utcnow

FAILURES = LoginFailure.__table__.c


def _limit() -> int:
    return current_app.config["LEADS_LOGIN_LOCK_ATTEMPTS"]


def _period() -> timedelta:
    return timedelta(minutes=current_app.config["LEADS_LOGIN_LOCK_MINUTES"])


@dataclass(frozen=True)
class Attempt:
    """One login attempt, already counted as a failure until it succeeds."""

    key: str
    failures: int
    locked_until: datetime | None
    at: datetime

    @property
    def refused(self) -> bool:
        """Locked: the password is not even checked."""
        return self.locked_until is not None and self.locked_until > self.at


def _over(now: datetime):
    """The rows whose window and lock are both over: they count for nothing."""
    return or_(
        FAILURES.locked_until <= now,
        and_(FAILURES.locked_until.is_(None), FAILURES.window_start <= now - _period()),
    )


def _count_statement(key: str, now: datetime):
    """INSERT … ON CONFLICT DO UPDATE adding this attempt to the address's row.

    A locked row stays as it is; a row that is over starts a new window; a
    row already at the limit without a lock (attempts sent in parallel) is
    locked now.
    """
    insert = (
        postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )
    statement = insert(LoginFailure.__table__).values(email_key=key, failures=1, window_start=now)
    locked = FAILURES.locked_until > now
    over = _over(now)
    return statement.on_conflict_do_update(
        index_elements=["email_key"],
        set_={
            "failures": case((locked, FAILURES.failures), (over, 1), else_=FAILURES.failures + 1),
            "window_start": case(
                (over, statement.excluded.window_start), else_=FAILURES.window_start
            ),
            "locked_until": case(
                (locked, FAILURES.locked_until),
                (over, None),
                (FAILURES.failures >= _limit(), literal(now + _period(), UTCDateTime())),
                else_=FAILURES.locked_until,
            ),
        },
    ).returning(FAILURES.failures, FAILURES.locked_until)


def count_attempt(email: str, now: datetime | None = None) -> Attempt:
    """Count an attempt for `email` before its password is checked.

    Raises SQLAlchemyError when the count cannot be stored: the caller must
    then refuse the login.
    """
    now, key = now or utcnow(), email_key(email)
    begin_write()
    failures, locked_until = db.session.execute(_count_statement(key, now)).one()
    db.session.commit()
    return Attempt(key, failures, locked_until, now)


def record_failure(attempt: Attempt) -> datetime | None:
    """The password was wrong; lock the address when this was its last try.

    Returns until when the address is locked now, or None.
    """
    if attempt.failures < _limit():
        return None
    until = attempt.at + _period()
    begin_write()
    db.session.execute(
        update(LoginFailure).where(FAILURES.email_key == attempt.key).values(locked_until=until)
    )
    db.session.commit()
    return until


def forget_failures(email: str) -> None:
    """Remove the count for `email` (a successful login, or an admin lifting
    the lock), in the caller's write transaction."""
    db.session.execute(delete(LoginFailure).where(FAILURES.email_key == email_key(email)))


def locks_of(emails, now: datetime | None = None) -> dict[str, datetime]:
    """Case-folded address -> until when it is locked, for those of `emails` that are."""
    now = now or utcnow()
    keys = [email_key(email) for email in emails]
    rows = db.session.execute(
        select(FAILURES.email_key, FAILURES.locked_until).where(
            FAILURES.email_key.in_(keys), FAILURES.locked_until > now
        )
    )
    return dict(rows.all())


def forget_expired(now: datetime | None = None) -> int:
    """Delete the rows that count for nothing any more (the daily purge); returns how many.

    Runs in the caller's write transaction.
    """
    return db.session.execute(delete(LoginFailure).where(_over(now or utcnow()))).rowcount
