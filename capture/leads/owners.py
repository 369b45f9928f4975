"""Giving a lead its owner: the people who take leads, the round robin's
turn kept in the database, and the log of every owner change.

The choice itself is the domain's (capture/domain/assignment.py). Here: who
the people are now, the turn taken under a lock (on PostgreSQL a row lock on
its settings row; on SQLite the write transaction's lock), so two workers or
two instances never give the same turn twice or skip one, and the owner
change logged on the lead. Call inside the write transaction that changes the
lead; the lead's row must be locked first (the turn is always locked last,
so two transactions never wait on each other in a circle).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db.rows import insert_rows
from ..domain.assignment import (
    Account,
    Assignment,
    LeadToAssign,
    Person,
    Turn,
    assign,
    needs_owner,
    who_takes_leads,
)
from ..extensions import db
from ..models import OwnerChange, Setting, User, utcnow
from ..web.filters import business_zone

TURN_KEY = "assignment_turn"
_USERS = User.__table__
_SETTINGS = Setting.__table__
_PEOPLE = select(_USERS.c.id, _USERS.c.name, _USERS.c.email, _USERS.c.role, _USERS.c.active)
_TURN = select(_SETTINGS.c.value).where(_SETTINGS.c.key == TURN_KEY).with_for_update()


def people() -> list[Person]:
    """Every user as assignment sees them (those who take no leads included,
    so a former owner or the person entering a lead is known)."""
    rows = db.session.connection().execute(_PEOPLE).all()
    taking = who_takes_leads([Account(row.id, row.role, row.active) for row in rows])
    return [Person(row.id, row.name or row.email, takes_leads=row.id in taking) for row in rows]


@cache
def _first_turn(dialect: str):
    """INSERT the turn's row unless it is there: a second first turn at the
    same moment waits for the first one's commit, then inserts nothing."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(_SETTINGS).on_conflict_do_nothing(index_elements=["key"])


def _locked_turn() -> Turn:
    """The round robin's turn, its row locked until commit."""
    connection = db.session.connection()
    value = connection.execute(_TURN).scalar_one_or_none()
    if value is None:
        row = {"key": TURN_KEY, "value": {"credits": {}}, "updated_at": utcnow()}
        connection.execute(_first_turn(connection.dialect.name), row)
        value = connection.execute(_TURN).scalar_one()
    credits = {int(person): credit for person, credit in value.get("credits", {}).items()}
    return Turn(credits, value.get("number", 0))


def _store_turn(turn: Turn) -> None:
    credits = {str(person): credit for person, credit in turn.credits.items()}
    value = {"credits": credits, "number": turn.number}
    statement = _SETTINGS.update().where(_SETTINGS.c.key == TURN_KEY)
    db.session.connection().execute(statement, {"value": value, "updated_at": utcnow()})


def business_today(now: datetime | None = None):
    """Today in the business's time zone (absences are local dates)."""
    return (now or utcnow()).astimezone(business_zone()).date()


def choose_owner(lead: LeadToAssign) -> Assignment:
    """The owner for `lead` now, the round robin's turn moved on if it took one.

    The turn's row is locked only when the choice is a turn: a hand entry, a
    returning lead keeping its owner, or nobody available, leave it alone.
    """
    everyone, today = people(), business_today()
    chosen = assign(lead, everyone, (), Turn(), today)
    if chosen.turn != Turn():  # a round-robin turn: taken again, under the lock
        turn = _locked_turn()
        chosen = assign(lead, everyone, (), turn, today)
        _store_turn(chosen.turn)
    if chosen.person_id is None:
        current_app.logger.warning("a lead became an opportunity with nobody to take it")
    return chosen


@dataclass(frozen=True)
class OwnerMove:
    """An owner change to log: from, to (None: nobody), why, by whom (None: automatic)."""

    from_id: int | None
    to_id: int | None
    why: str
    by: int | None = None

    def log(self, lead_id: int) -> None:
        log_owner_change(lead_id, self.from_id, self.to_id, self.why, self.by)


def hand_to_owner(
    lead,
    was_opportunity: bool,
    form_id: int | None = None,
    entered_by_id: int | None = None,
    by: int | None = None,
) -> OwnerMove | None:
    """Give `lead` (a Lead, or a draft of its columns) an owner when it needs
    one it does not have yet: it just became an opportunity, or is one
    without an owner. Sets its `owner_id`; returns the move to log, or None.

    `form_id` is the form it came in by, `entered_by_id` the person entering
    it by hand, `by` the person whose action this is (logged).
    """
    if not needs_owner(lead.list) or (was_opportunity and lead.owner_id is not None):
        return None
    chosen = choose_owner(
        LeadToAssign(
            headcount=lead.headcount,
            sector=lead.sector,
            channel=lead.channel,
            form_id=form_id,
            owner_id=lead.owner_id,
            entered_by_id=entered_by_id,
        )
    )
    before = lead.owner_id
    if chosen.person_id is None and (before is not None or was_opportunity):
        # Nobody (else) available: the owner it has stays, and an
        # unassigned opportunity's "nobody available" is logged once.
        return None
    if chosen.person_id == before and before is not None:
        return None  # keeps its owner: nothing to log
    lead.owner_id = chosen.person_id
    return OwnerMove(before, chosen.person_id, chosen.why, by)


def log_owner_change(
    lead_id: int, from_id: int | None, to_id: int | None, why: str, by: int | None = None
) -> None:
    """Log an owner change on the lead (`by`: the user who made it, None: automatic)."""
    row = {"lead_id": lead_id, "from_user_id": from_id, "to_user_id": to_id, "reason": why}
    insert_rows(OwnerChange, [{**row, "user_id": by, "created_at": utcnow()}])


def owner_for_opportunity(lead, was_opportunity: bool, by: int | None = None) -> None:
    """For a stored lead (an ORM object) that a person (`by`) or the rules
    just routed: `hand_to_owner`, logged. The caller commits."""
    move = hand_to_owner(lead, was_opportunity, form_id=lead.first_form_id, by=by)
    if move is not None:
        move.log(lead.id)
