"""Response clocks as the database holds them, moments in the business's
zone, and the sales actions that stop a clock: for tests/sales/test_clocks.py."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from capture.domain.business_time import DEFAULT_HOURS, business_time_between
from capture.extensions import db
from capture.leads.business_calendar import is_dutch_holiday
from capture.models import Lead, ResponseClock

from .auth import Auth

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock moment in the business's zone (LEADS_TIMEZONE's default)."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def open_time_between(start: datetime, end: datetime) -> timedelta:
    """The default business hours' open time from `start` to `end`."""
    return business_time_between(start, end, DEFAULT_HOURS, is_dutch_holiday, AMSTERDAM)


def clocks_of(app, lead_id: int) -> list[ResponseClock]:
    """The lead's clocks, oldest first, detached (read them after the session)."""
    with app.app_context():
        clocks = db.session.scalars(
            db.select(ResponseClock)
            .where(ResponseClock.lead_id == lead_id)
            .order_by(ResponseClock.started_at, ResponseClock.id)
        ).all()
        for clock in clocks:
            db.session.expunge(clock)
        return clocks


def stored_lead(app, lead_id: int) -> Lead:
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        db.session.expunge(lead)
        return lead


def lead_id_by_email(app, email: str) -> int:
    with app.app_context():
        return db.session.scalars(
            db.select(Lead.id).where(Lead.email_key == email.casefold())
        ).one()


def restart_running_clock(app, lead_id: int, started_at: datetime) -> None:
    """Say the running clock started at `started_at` (its deadline as it was):
    how a test puts the moment a lead became an opportunity where it needs it."""
    with app.app_context():
        clock = db.session.scalars(
            db.select(ResponseClock).where(
                ResponseClock.lead_id == lead_id, ResponseClock.stopped_at.is_(None)
            )
        ).one()
        clock.started_at = started_at
        db.session.commit()


def act(client, lead_id: int, action: str, **fields):
    """Post one of the lead page's action forms with the page's CSRF token."""
    token = Auth(client, {}).csrf_token(f"/sales/leads/{lead_id}")
    return client.post(f"/sales/leads/{lead_id}/{action}", data={"csrf_token": token, **fields})
