"""Reminders and escalation: the worker's minute job on the response clocks
(PRODUCT.md, "Who follows up, and by when").

When a running clock's `respond_by` passes, the lead's owner is reminded
(`lead.overdue`, by e-mail in their language, and to the older webhook);
at its `escalate_at` (twice the target) every active admin is told
(`lead.escalated`) and, with LEADS_REASSIGN_OVERDUE, the lead goes to the
next available person. Each step happens once per clock: it is claimed by an
UPDATE of the clock's row that only a clock still running and not yet
reminded (escalated) matches, in the write transaction that queues its
e-mails. A second worker's UPDATE waits for the first one's commit
(PostgreSQL: the row lock; SQLite: the write lock) and then matches nothing.
The state is in the rows, so a worker restart loses nothing; a clock stopped
(contacted, moved, won, lost) matches no step any more.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..db.rows import insert_rows
from ..db.transactions import begin_write
from ..domain.assignment import LeadToAssign
from ..extensions import db
from ..models import Lead, Outbox, ResponseClock, User, utcnow
from ..notifications.outbox import ESCALATED, OVERDUE, lead_payload, mail_people
from .owners import OwnerMove, business_today, choose_owner

# Why an overdue lead was given to someone else (logged, followed by how).
REASSIGNED_OVERDUE = "overdue: twice its response target"
_CLOCKS = ResponseClock.__table__


def remind_and_escalate(now: datetime | None = None) -> tuple[int, int]:
    """Remind the owners of the clocks whose deadline passed by `now`
    (default: now) and escalate those at twice their target, each once.
    Returns (reminded, escalated)."""
    now = now or utcnow()
    reminders = _due(_CLOCKS.c.respond_by, _CLOCKS.c.reminded_at, now)
    escalations = _due(_CLOCKS.c.escalate_at, _CLOCKS.c.escalated_at, now)
    db.session.rollback()  # the reading transaction: each step writes in its own
    reminded = sum(_step(clock, _CLOCKS.c.reminded_at, now, _remind) for clock in reminders)
    escalated = sum(_step(clock, _CLOCKS.c.escalated_at, now, _escalate) for clock in escalations)
    return reminded, escalated


def _due(deadline, done, now: datetime) -> list:
    """The running clocks whose `deadline` passed by `now` and whose step (`done`) is not."""
    return db.session.execute(
        select(_CLOCKS.c.id, _CLOCKS.c.lead_id, _CLOCKS.c.respond_by)
        .where(_CLOCKS.c.stopped_at.is_(None), deadline <= now, done.is_(None))
        .order_by(_CLOCKS.c.id)
    ).all()


def _step(clock, done, now: datetime, act) -> bool:
    """Claim `clock`'s step (`done` set to `now`) and `act` on its lead, in
    one transaction; False when another worker took it or the clock stopped.
    The lead's row is locked first, the order every writer keeps."""
    begin_write()
    lead = db.session.get(Lead, clock.lead_id, with_for_update=True, populate_existing=True)
    claim = (
        _CLOCKS.update()
        .where(_CLOCKS.c.id == clock.id, _CLOCKS.c.stopped_at.is_(None), done.is_(None))
        .values({done.name: now})
    )
    claimed = lead is not None and db.session.execute(claim).rowcount == 1
    if claimed:
        act(lead, clock, now)
    db.session.commit()
    return claimed


def _admins() -> list[User]:
    return db.session.scalars(
        db.select(User).where(User.role == "admin", User.active).order_by(User.id)
    ).all()


def _remind(lead: Lead, clock, now: datetime) -> None:
    """Tell the owner (an owner gone inactive, or none: the admins) and the webhook."""
    owner = db.session.get(User, lead.owner_id) if lead.owner_id is not None else None
    people = [owner] if owner is not None and owner.active else _admins()
    mail_people(lead, OVERDUE, people, {"respond_by": clock.respond_by.isoformat()})
    webhook = current_app.config["LEADS_WEBHOOK_URL"]
    if webhook:
        row = {"event": OVERDUE, "channel": "webhook", "target": webhook, "lead_id": lead.id}
        insert_rows(Outbox, [{**row, "payload": lead_payload(lead, OVERDUE)}])


def _escalate(lead: Lead, clock, now: datetime) -> None:
    """Tell the admins; with LEADS_REASSIGN_OVERDUE, hand the lead on."""
    owner = db.session.get(User, lead.owner_id) if lead.owner_id is not None else None
    extra = {
        "respond_by": clock.respond_by.isoformat(),
        "owner": owner.display_name if owner is not None else None,
    }
    mail_people(lead, ESCALATED, _admins(), extra)
    if current_app.config["LEADS_REASSIGN_OVERDUE"]:
        _hand_on(lead, now)


def _hand_on(lead: Lead, now: datetime) -> None:
    """Give `lead` to the next available person but its owner (rules, then
    turns), logged and the new owner told. Nobody else available: it stays."""
    facts = LeadToAssign(
        headcount=lead.headcount,
        sector=lead.sector,
        channel=lead.channel,
        form_id=lead.first_form_id,
    )
    chosen = choose_owner(facts, business_today(now), leaving=lead.owner_id)
    if chosen.person_id is None or chosen.person_id == lead.owner_id:
        return
    move = OwnerMove(lead.owner_id, chosen.person_id, f"{REASSIGNED_OVERDUE}; {chosen.why}")
    lead.owner_id = chosen.person_id
    move.log(lead)
