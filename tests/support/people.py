"""People who take leads, their waiting and closed opportunities, and what
the database holds of them: for the tests of absences, weights, the admin's
switch and deactivating."""

from datetime import date, datetime, time, timedelta

from werkzeug.security import generate_password_hash

from capture.extensions import db
from capture.leads.owners import business_today
from capture.models import Absence, Lead, OwnerChange, User, utcnow
from capture.web.filters import business_zone

from .auth import PASSWORD
from .factories import make_lead


def add_person(app, email: str, role: str = "sales", name: str | None = None, **values) -> int:
    """Add a user who can log in with PASSWORD; returns their id."""
    with app.app_context():
        user = User(
            email=email,
            name=name,
            role=role,
            password_hash=generate_password_hash(PASSWORD),
            **values,
        )
        db.session.add(user)
        db.session.commit()
        return user.id


def today(app) -> date:
    """The business's today (absences are its local dates)."""
    with app.app_context():
        return business_today()


def moment_on(app, day: date, hour: int = 10) -> datetime:
    """A moment at `hour` o'clock on `day` in the business's time zone."""
    with app.app_context():
        return datetime.combine(day, time(hour), tzinfo=business_zone())


def opportunities_of(app, owner_id: int) -> dict[str, int]:
    """Leads `owner_id` owns now, of every kind a hand-over must tell apart:
    two still waiting for a first response, one contacted, one won, one on
    nurture. Returns their ids by kind."""
    with app.app_context():
        kinds = {
            "waiting": make_lead(owner_id=owner_id),
            "waiting too": make_lead(owner_id=owner_id),
            "contacted": make_lead(owner_id=owner_id, first_response_at=utcnow()),
            "closed": make_lead(owner_id=owner_id, outcome="won", outcome_at=utcnow()),
            "nurture": make_lead(owner_id=owner_id, list="nurture"),
        }
        db.session.commit()
        return {kind: lead.id for kind, lead in kinds.items()}


def owners_of(app, lead_ids: dict[str, int]) -> dict[str, int | None]:
    with app.app_context():
        return {kind: db.session.get(Lead, lead_id).owner_id for kind, lead_id in lead_ids.items()}


def owner_changes(app) -> list[tuple[int, int | None, int | None, str, int | None]]:
    """Every logged owner change: (lead, from, to, why, by), in order."""
    with app.app_context():
        changes = db.session.scalars(db.select(OwnerChange).order_by(OwnerChange.id)).all()
        return [(c.lead_id, c.from_user_id, c.to_user_id, c.reason, c.user_id) for c in changes]


def absences_of(app, user_id: int) -> list[tuple[date, date, int | None]]:
    """A person's stored absences: (starts, ends, set by)."""
    with app.app_context():
        rows = db.session.scalars(
            db.select(Absence).where(Absence.user_id == user_id).order_by(Absence.id)
        ).all()
        return [(row.starts, row.ends, row.set_by_id) for row in rows]


def add_absence_row(app, user_id: int, starts: date, ends: date) -> int:
    """Store an absence directly (no hand-over): for tests of listing and removing."""
    with app.app_context():
        absence = Absence(user_id=user_id, starts=starts, ends=ends, set_by_id=user_id)
        db.session.add(absence)
        db.session.commit()
        return absence.id


def stored_user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def days(number: int) -> timedelta:
    return timedelta(days=number)
