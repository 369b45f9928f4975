"""Response clocks: when a lead needs its answer, kept on the lead as it
moves (PRODUCT.md, "Who follows up, and by when").

A lead that comes onto a list with a response target (an opportunity; a
nurture lead only when the admin sets a nurture target) starts a clock:
`respond_by` is that moment + the target for its size class, in business
time (capture/domain/triage.py). The lead's own qualifying step may change
its size class: the running clock is recomputed from its start. Marking the
lead contacted, moving it to another list, winning or losing it stops the
clock. At most one clock runs per lead, and its deadline is also the lead's
`respond_by` (None: no clock runs), so no lead needs a look at its clocks
unless one runs.

Call inside the write transaction that changes the lead, with its row
locked. The clocks' rows are written with Core statements, like the intake's.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g, has_request_context
from sqlalchemy import select

from ..db.cache import FRESH_FOR, forget_on_write, process_cache
from ..db.rows import insert_rows
from ..domain.business_time import (
    BusinessHours,
    add_business_time,
    business_time_between,
    hours_from_dict,
    hours_to_dict,
)
from ..domain.triage import TARGETS, ResponseTargets, target_for, targets_from_dict, targets_to_dict
from ..domain.vocabulary import size_class
from ..extensions import db
from ..models import Lead, ResponseClock, Setting, utcnow
from ..web.filters import business_zone
from .business_calendar import is_dutch_holiday

TARGETS_KEY = "response_targets"
HOURS_KEY = "business_hours"
_SETTINGS = Setting.__table__
_CLOCKS = ResponseClock.__table__
_LEADS = Lead.__table__
# A bound name that is no column's (an UPDATE sets the columns named in its parameters).
_RUNNING = (_CLOCKS.c.lead_id == db.bindparam("lead")) & _CLOCKS.c.stopped_at.is_(None)
_STORED = select(_SETTINGS.c.value).where(_SETTINGS.c.key == db.bindparam("key"))


# Settings: the admin's targets and business hours, the contract's defaults
# when none are stored.


def stored_targets() -> ResponseTargets:
    """The response targets as the database holds them now."""
    stored = db.session.connection().scalar(_STORED, {"key": TARGETS_KEY})
    return targets_from_dict(stored) if stored is not None else TARGETS


def stored_hours() -> BusinessHours:
    """The business hours as the database holds them now."""
    stored = db.session.connection().scalar(_STORED, {"key": HOURS_KEY})
    return hours_from_dict(stored) if stored is not None else BusinessHours()


def _in_force(key: str, read):
    """`read()`'s settings as this worker last read them (at most FRESH_FOR
    seconds ago; a change saved in this process shows at once), kept for
    the request in `g` (the worker has no `g` that ends with a request)."""
    if not has_request_context():
        return process_cache().get("clocks", key, read, ttl=FRESH_FOR)
    name = f"clock_{key}"
    if name not in g:
        setattr(g, name, process_cache().get("clocks", key, read, ttl=FRESH_FOR))
    return getattr(g, name)


def response_targets() -> ResponseTargets:
    """The response targets in force."""
    return _in_force(TARGETS_KEY, stored_targets)


def business_hours() -> BusinessHours:
    """The business hours in force."""
    return _in_force(HOURS_KEY, stored_hours)


forget_on_write(Setting, lambda setting: setting.key in (TARGETS_KEY, HOURS_KEY))


def _save(key: str, value: dict, user_id: int | None, in_force) -> None:
    stored = db.session.get(Setting, key) or Setting(key=key)
    stored.value, stored.updated_by_id = value, user_id
    db.session.add(stored)
    if has_request_context():  # this request goes on with them
        setattr(g, f"clock_{key}", in_force)


def save_targets(targets: ResponseTargets, user_id: int | None) -> None:
    """Store the admin's response targets (the caller commits); clocks that
    start from now on follow them, running ones keep theirs."""
    _save(TARGETS_KEY, targets_to_dict(targets), user_id, targets)


def save_hours(hours: BusinessHours, user_id: int | None) -> None:
    """Store the business hours (the caller commits); as `save_targets`."""
    _save(HOURS_KEY, hours_to_dict(hours), user_id, hours)


# The clocks.


@dataclass(frozen=True)
class Deadline:
    """A clock's target, by the size class it is chosen by, and the moments
    it gives from the clock's start: the answer is due, the admins are told."""

    size_class: str | None
    target: timedelta
    respond_by: datetime
    escalate_at: datetime

    def columns(self) -> dict:
        """As the clock's row stores it."""
        return {
            "size_class": self.size_class,
            "target_minutes": self.target // timedelta(minutes=1),
            "respond_by": self.respond_by,
            "escalate_at": self.escalate_at,
        }


def deadline(
    list_name: str,
    headcount: str | None,
    started_at: datetime,
    targets: ResponseTargets | None = None,
    hours: BusinessHours | None = None,
) -> Deadline | None:
    """The deadline of a clock on `list_name` that started at `started_at`,
    for a lead of `headcount`, in business time under `targets` and `hours`
    (default: the ones in force); None: no target for them."""
    size = size_class(headcount)
    target = target_for(list_name, size, targets or response_targets())
    if target is None:
        return None
    hours, zone = hours or business_hours(), business_zone()

    def after(duration: timedelta) -> datetime:
        return add_business_time(started_at, duration, hours, is_dutch_holiday, zone)

    return Deadline(size, target, after(target), after(2 * target))


@dataclass(frozen=True)
class ClockStart:
    """A clock to store once its lead is: a new lead's row (a draft until
    then) has no id before its INSERT, which writes its `respond_by` too."""

    list_name: str
    started_at: datetime
    deadline: Deadline

    @property
    def respond_by(self) -> datetime:
        return self.deadline.respond_by

    def store(self, lead) -> None:
        """Insert the clock of `lead` (a Lead or a Record, with its id)."""
        insert_rows(
            ResponseClock,
            [
                {
                    "lead_id": lead.id,
                    "list": self.list_name,
                    "started_at": self.started_at,
                    **self.deadline.columns(),
                    "created_at": utcnow(),
                }
            ],
        )


def start_clock(lead, now: datetime, imported: bool = False) -> ClockStart | None:
    """`lead` (a Lead, or a draft of its columns) came onto its list at `now`:
    when that list has a response target for its size class, a clock starts.
    Sets its `respond_by`; returns the clock to store (`store_clock`), or
    None: no target, an imported lead (its first moment is not ours to
    time), or a lead already won or lost."""
    if imported or lead.outcome is not None:
        return None
    due = deadline(lead.list, lead.headcount, now)
    if due is None:
        return None
    clock = ClockStart(lead.list, now, due)
    lead.respond_by = clock.respond_by
    return clock


def store_clock(lead, clock: ClockStart | None) -> None:
    """Store `clock` (from `start_clock`) for `lead`, as stored now; None: nothing."""
    if clock is not None:
        clock.store(lead)


# What a person does to a lead that answers it; a move is the rules' or a
# re-routing's as often as a person's, and answers nobody.
ANSWERS = ("contacted", "won", "lost")


def _between(start: datetime, end: datetime) -> timedelta:
    """The business time from `start` to `end`."""
    return business_time_between(start, end, business_hours(), is_dutch_holiday, business_zone())


def stop_clock(lead, because: str, now: datetime) -> bool:
    """Stop `lead`'s running clock at `now`, `because` it was contacted, moved,
    won or lost, naming its owner then; an answer (ANSWERS) keeps the business
    time it took. Sets its `respond_by` to None; returns whether a clock ran
    (none does when `respond_by` is None: no query)."""
    if lead.respond_by is None:
        return False
    values = {"stopped_at": now, "stopped_because": because, "owner_id": lead.owner_id}
    connection = db.session.connection()
    if because in ANSWERS:
        started_at = connection.scalar(
            select(_CLOCKS.c.started_at).where(_RUNNING), {"lead": lead.id}
        )
        if started_at is not None:
            values["response_minutes"] = _between(started_at, now) // timedelta(minutes=1)
    connection.execute(_CLOCKS.update().where(_RUNNING), {"lead": lead.id, **values})
    lead.respond_by = None
    return True


def clock_after_move(lead, from_list: str | None, now: datetime) -> ClockStart | None:
    """`lead` went from `from_list` onto `lead.list` at `now` (a person moved
    it, the rules routed it): the running clock stops and the new list's
    starts, to be stored with `store_clock`. Staying on its list changes
    nothing: only an entry starts a clock."""
    if lead.list == from_list:
        return None
    stop_clock(lead, "moved", now)
    return start_clock(lead, now)


def recompute_clock(lead) -> None:
    """The lead's own qualifying step changed its size class (a contact form
    makes an opportunity before the questions): its running clock keeps its
    start and takes the new size class's target. A size class without a
    target needs no clock: the running one goes. No clock running: nothing."""
    if lead.respond_by is None:
        return
    connection = db.session.connection()
    running = connection.execute(
        select(_CLOCKS.c.id, _CLOCKS.c.list, _CLOCKS.c.started_at).where(_RUNNING),
        {"lead": lead.id},
    ).one()
    by_id = _CLOCKS.c.id == running.id
    due = deadline(running.list, lead.headcount, running.started_at)
    if due is None:
        connection.execute(_CLOCKS.delete().where(by_id))
        lead.respond_by = None
        return
    lead.respond_by = due.respond_by
    connection.execute(_CLOCKS.update().where(by_id), due.columns())


# Every running clock at once: the admin saved new targets or business hours.


def recompute_running_clocks(targets: ResponseTargets, hours: BusinessHours) -> tuple[int, int]:
    """Recompute every running clock from its start under `targets` and
    `hours` (the settings just saved, in this transaction), as
    `recompute_clock` does for one lead: deadline, escalation, target and
    size class, and the lead's `respond_by`; a clock whose list and size
    class have no target now goes, and the lead's `respond_by` is None.
    Reminders and escalations already sent stay sent (`reminded_at`,
    `escalated_at` are kept). Returns (recomputed, removed).

    Call in a write transaction (`begin_write`). The leads with a running
    clock are locked first, in id order (PostgreSQL: FOR UPDATE; SQLite: the
    transaction holds the write lock), the order every writer keeps; their
    clocks are read after that, so a clock stopped or started meanwhile by
    a writer that held the lead is seen as it committed. A lead that gets
    its first clock after the lock is not changed here: its writer read the
    settings in force then.
    """
    connection = db.session.connection()
    locked = connection.execute(
        select(_LEADS.c.id)
        .where(_LEADS.c.respond_by.is_not(None))
        .order_by(_LEADS.c.id)
        .with_for_update()
    )
    lead_ids = set(locked.scalars())
    running = connection.execute(
        select(
            _CLOCKS.c.id,
            _CLOCKS.c.lead_id,
            _CLOCKS.c.list,
            _CLOCKS.c.started_at,
            _LEADS.c.headcount,
        )
        .join(_LEADS, _LEADS.c.id == _CLOCKS.c.lead_id)
        .where(_CLOCKS.c.stopped_at.is_(None))
        .order_by(_CLOCKS.c.lead_id)
    ).all()
    clocks, gone, leads = [], [], []
    for clock in running:
        if clock.lead_id not in lead_ids:
            continue
        due = deadline(clock.list, clock.headcount, clock.started_at, targets, hours)
        if due is None:
            gone.append({"clock": clock.id})
            leads.append({"lead": clock.lead_id, "respond_by": None})
            continue
        clocks.append({"clock": clock.id, **due.columns()})
        leads.append({"lead": clock.lead_id, "respond_by": due.respond_by})
    by_id = _CLOCKS.c.id == db.bindparam("clock")
    if clocks:
        connection.execute(_CLOCKS.update().where(by_id), clocks)
    if gone:
        connection.execute(_CLOCKS.delete().where(by_id), gone)
    if leads:
        connection.execute(_LEADS.update().where(_LEADS.c.id == db.bindparam("lead")), leads)
    return len(clocks), len(gone)
