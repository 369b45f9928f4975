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

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache

from flask import current_app, g, has_request_context
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db.cache import FRESH_FOR, forget_on_write, process_cache
from ..db.rows import insert_rows
from ..db.transactions import begin_write
from ..domain.assignment import (
    NOBODY_AVAILABLE,
    ROUND_ROBIN,
    Absence,
    Account,
    Assignment,
    AssignmentProblem,
    AssignmentSettings,
    LeadToAssign,
    Person,
    Turn,
    assign,
    give_back,
    needs_owner,
    rules_naming_nobody,
    settings_from_dict,
    settings_to_dict,
    who_takes_leads,
)
from ..extensions import db
from ..models import Absence as AbsenceRow
from ..models import Lead, OwnerChange, Setting, User, utcnow
from ..notifications.outbox import (
    announce_assignment,
    tell_admins_nobody_available,
    withdraw_assignment,
)
from ..web.filters import business_zone

TURN_KEY = "assignment_turn"
SETTINGS_KEY = "assignment"
_USERS = User.__table__
_SETTINGS = Setting.__table__
_ABSENCES = AbsenceRow.__table__
_PEOPLE = select(
    _USERS.c.id,
    _USERS.c.name,
    _USERS.c.email,
    _USERS.c.role,
    _USERS.c.active,
    _USERS.c.takes_leads,
    _USERS.c.weight,
)
_TURN = select(_SETTINGS.c.value).where(_SETTINGS.c.key == TURN_KEY).with_for_update()
_STORED_SETTINGS = select(_SETTINGS.c.value).where(_SETTINGS.c.key == SETTINGS_KEY)


def people(today: date | None = None) -> list[Person]:
    """Every user as assignment sees them (those who take no leads included,
    so a former owner or the person entering a lead is known), with their
    absences that have not ended by `today` (default: the business's today)."""
    connection = db.session.connection()
    rows = connection.execute(_PEOPLE).all()
    accounts = [Account(row.id, row.role, row.active, row.takes_leads) for row in rows]
    taking = who_takes_leads(accounts)
    away: dict[int, list[Absence]] = {}
    current = select(_ABSENCES.c.user_id, _ABSENCES.c.starts, _ABSENCES.c.ends).where(
        _ABSENCES.c.ends >= (today or business_today())
    )
    for absence in connection.execute(current):
        away.setdefault(absence.user_id, []).append(Absence(absence.starts, absence.ends))
    return [
        Person(
            row.id,
            row.name or row.email,
            takes_leads=row.id in taking,
            weight=row.weight,
            absences=tuple(away.get(row.id, ())),
        )
        for row in rows
    ]


def stored_settings() -> AssignmentSettings:
    """The admin's assignment rules and nurture switch as the database holds them now."""
    stored = db.session.connection().scalar(_STORED_SETTINGS)
    return settings_from_dict(stored) if stored is not None else AssignmentSettings()


def assignment_settings() -> AssignmentSettings:
    """The settings in force, as this worker last read them (at most FRESH_FOR
    seconds ago; a change saved in this process shows at once)."""
    if not has_request_context():  # the worker: no `g` that ends with a request
        return process_cache().get("assignment", "in force", stored_settings, ttl=FRESH_FOR)
    if "assignment_settings" not in g:
        g.assignment_settings = process_cache().get(
            "assignment", "in force", stored_settings, ttl=FRESH_FOR
        )
    return g.assignment_settings


forget_on_write(Setting, lambda setting: setting.key == SETTINGS_KEY)


def save_settings(settings: AssignmentSettings, user_id: int | None) -> None:
    """Store the admin's assignment settings (the caller commits).

    Raises AssignmentProblem, storing nothing, when a rule names someone who
    does not take leads (deactivated, or an admin not switched on); the
    message is `rule_problem(numbers)`'s."""
    nobody = rules_naming_nobody(settings.rules, people())
    if nobody:
        raise AssignmentProblem(rule_problem(nobody))
    stored = db.session.get(Setting, SETTINGS_KEY) or Setting(key=SETTINGS_KEY)
    stored.value, stored.updated_by_id = settings_to_dict(settings), user_id
    db.session.add(stored)
    if has_request_context():
        g.assignment_settings = settings


def rule_problem(numbers: list[int]) -> str:
    """Why rules naming nobody cannot be stored (the pages translate the words)."""
    listed = ", ".join(str(number) for number in numbers)
    return f"Rule {listed} names someone who does not take leads (deactivated, or switched off)."


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


def _people_but(leaving: int | None, today: date) -> list[Person]:
    """`people(today)`, with `leaving` (someone whose leads are being handed
    over) taking none."""
    return [
        replace(person, takes_leads=False) if person.id == leaving else person
        for person in people(today)
    ]


def choose_owner(
    lead: LeadToAssign, today: date | None = None, leaving: int | None = None
) -> Assignment:
    """The owner for `lead` on `today`, the round robin's turn moved on if it took one.

    The turn's row is locked only when the choice is a turn: a hand entry, a
    returning lead keeping its owner, a rule, or nobody available, leave it
    alone. Under the lock the people are read again: someone deactivated or
    gone away while this request waited for the turn is not given it.
    """
    today = today or business_today()
    rules = assignment_settings().rules
    chosen = assign(lead, _people_but(leaving, today), rules, Turn(), today)
    if chosen.turn != Turn():  # a round-robin turn: taken again, under the lock
        turn = _locked_turn()
        chosen = assign(lead, _people_but(leaving, today), rules, turn, today)
        _store_turn(chosen.turn)
    if chosen.person_id is None:
        current_app.logger.warning("a lead needs an owner and nobody is available to take it")
    return chosen


@dataclass(frozen=True)
class OwnerMove:
    """An owner change to log: from, to (None: nobody), why, by whom (None: automatic)."""

    from_id: int | None
    to_id: int | None
    why: str
    by: int | None = None
    # The owner's e-mail waits this long: the lead's second step may still
    # give it to someone else (see `owner_after_answers`).
    hold: timedelta | None = None

    def log(self, lead, notify: bool = True) -> None:
        """Log it on `lead` (a Lead or a Record of its row, as it is after the
        change) and, with `notify`, tell the new owner, or the admins when
        nobody was available."""
        log_owner_change(lead.id, self.from_id, self.to_id, self.why, self.by)
        if not notify:
            return
        if self.to_id is not None:
            announce_assignment(lead, self.to_id, self.why, self.by, hold=self.hold)
        elif self.why == NOBODY_AVAILABLE:
            tell_admins_nobody_available(lead)


def hand_to_owner(
    lead,
    was_opportunity: bool,
    form_id: int | None = None,
    entered_by_id: int | None = None,
    by: int | None = None,
    more_to_come: bool = False,
) -> OwnerMove | None:
    """Give `lead` (a Lead, or a draft of its columns) an owner when it needs
    one it does not have yet: it just became an opportunity, or is one
    without an owner. Sets its `owner_id`; returns the move to log, or None.

    `form_id` is the form it came in by, `entered_by_id` the person entering
    it by hand, `by` the person whose action this is (logged);
    `more_to_come`: a first step whose qualifying step may follow (the
    owner's e-mail waits a little, see `owner_after_answers`).
    """
    nurture_owners = assignment_settings().nurture_owners
    if not needs_owner(lead.list, nurture_owners) or (
        was_opportunity and lead.owner_id is not None
    ):
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
    by_turn = more_to_come and chosen.why.startswith(ROUND_ROBIN)
    return OwnerMove(
        before, chosen.person_id, chosen.why, by, SECOND_STEP_GRACE if by_turn else None
    )


def _given_by_turn(lead_id: int) -> bool:
    """Whether the lead's owner came by a round-robin turn (its last owner change)."""
    last_reason = db.session.scalar(
        select(OwnerChange.reason)
        .where(OwnerChange.lead_id == lead_id)
        .order_by(OwnerChange.created_at.desc(), OwnerChange.id.desc())
        .limit(1)
    )
    return (last_reason or "").startswith(ROUND_ROBIN)


def _take_back_turn(lead, everyone: list[Person], today: date) -> None:
    """The lead's owner got it by a turn a moment ago and now does not keep
    it: the turn is given back (the shares stay fair) and the e-mail telling
    them, if it still waits, is withdrawn."""
    available = [person for person in everyone if person.available_on(today)]
    _store_turn(give_back(available, _locked_turn(), lead.owner_id))
    withdraw_assignment(lead.id, lead.owner_id)


def owner_after_answers(lead, form_id: int | None) -> OwnerMove | None:
    """A new lead's own qualifying step: its answers (size, sector) may match
    an assignment rule that its first step could not (a contact form makes
    an opportunity, and gives it an owner, before the questions). When its
    owner came by a round-robin turn, the rule's person takes it and the turn
    is given back, so the round robin's shares stay fair. Sets `owner_id`;
    returns the move to log, or None."""
    rules = assignment_settings().rules
    if not rules or lead.owner_id is None or lead.list != "opportunity":
        return None
    facts = LeadToAssign(
        headcount=lead.headcount, sector=lead.sector, channel=lead.channel, form_id=form_id
    )
    today = business_today()
    everyone = people(today)
    by_rule = assign(facts, everyone, rules, Turn(), today)
    if by_rule.rule is None or by_rule.person_id == lead.owner_id:
        return None
    if not _given_by_turn(lead.id):
        return None  # entered by hand, kept, or given by a person: not the turns'
    _take_back_turn(lead, everyone, today)
    before, lead.owner_id = lead.owner_id, by_rule.person_id
    return OwnerMove(before, by_rule.person_id, f"{by_rule.why} (after its answers)")


def drop_owner(lead, why: str) -> OwnerMove | None:
    """A new lead disqualified by its own qualifying step loses its owner
    (not a person's pin); a turn it took at its first step is given back.
    Sets `owner_id`; returns the move to log, or None."""
    if lead.owner_id is None:
        return None
    if _given_by_turn(lead.id):
        today = business_today()
        _take_back_turn(lead, people(today), today)
    before, lead.owner_id = lead.owner_id, None
    return OwnerMove(before, None, why)


def log_owner_change(
    lead_id: int, from_id: int | None, to_id: int | None, why: str, by: int | None = None
) -> None:
    """Log an owner change on the lead (`by`: the user who made it, None: automatic)."""
    row = {"lead_id": lead_id, "from_user_id": from_id, "to_user_id": to_id, "reason": why}
    insert_rows(OwnerChange, [{**row, "user_id": by, "created_at": utcnow()}])


def owner_for_opportunity(
    lead, was_opportunity: bool, by: int | None = None, notify: bool = True
) -> None:
    """For a stored lead (an ORM object) that a person (`by`) or the rules
    just routed: `hand_to_owner`, logged (and, with `notify`, the new owner
    told: re-routing a whole list tells nobody). The caller commits."""
    move = hand_to_owner(lead, was_opportunity, form_id=lead.first_form_id, by=by)
    if move is not None:
        move.log(lead, notify=notify)


def reassign(lead: Lead, to_id: int, why: str, by: int) -> OwnerMove | None:
    """A person (`by`) gives `lead` to `to_id` by hand, for the reason they
    typed: logged and the new owner told. None when it is theirs already.
    The caller checks that `to_id` takes leads, locks the lead and commits."""
    if lead.owner_id == to_id:
        return None
    move = OwnerMove(lead.owner_id, to_id, why, by)
    lead.owner_id = to_id
    move.log(lead)
    return move


# Open opportunities still waiting for a response: what a hand-over moves.
# Never answered, or answered once and back with a clock that runs again.
_WAITING = (
    Lead.list == "opportunity",
    Lead.outcome.is_(None),
    Lead.first_response_at.is_(None) | Lead.respond_by.is_not(None),
)


def hand_over(user_id: int, why: str, by: int | None = None, today: date | None = None) -> int:
    """Give `user_id`'s open opportunities that still wait for a first
    response to the next available person each (rules, then turns; the
    person leaving is not a candidate), logged with `why` and the new owner
    told. With nobody available such a lead is left unassigned ("nobody
    available") and the admins are told. Returns how many leads it moved; the
    caller commits.

    The leads are locked before the turn (the order every writer keeps); a
    lead another transaction moved meanwhile is not its to move any more."""
    today = today or business_today()
    leads = db.session.scalars(
        db.select(Lead)
        .where(Lead.owner_id == user_id, *_WAITING)
        .order_by(Lead.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for lead in leads:
        facts = LeadToAssign(
            headcount=lead.headcount,
            sector=lead.sector,
            channel=lead.channel,
            form_id=lead.first_form_id,
        )
        chosen = choose_owner(facts, today, leaving=user_id)
        move = OwnerMove(user_id, chosen.person_id, f"{why}; {chosen.why}", by)
        if chosen.person_id is None:
            move = OwnerMove(user_id, None, NOBODY_AVAILABLE, by)
        lead.owner_id = chosen.person_id
        move.log(lead)
    return len(leads)


def _unavailable_owners(today: date) -> dict[int, str]:
    """Owners of waiting opportunities who cannot follow them up on `today`
    (deactivated, or away), with why."""
    owners = db.session.execute(
        db.select(User.id, User.active).where(
            User.id.in_(db.select(Lead.owner_id).where(*_WAITING).distinct())
        )
    ).all()
    away = {person.id for person in people(today) if person.away_on(today)}
    unavailable = {owner.id: DEACTIVATED for owner in owners if not owner.active}
    unavailable |= {owner.id: ABSENCE_STARTED for owner in owners if owner.id in away}
    return unavailable


def hand_over_from_unavailable(now: datetime | None = None) -> int:
    """The worker's minute job: the waiting opportunities of everyone who is
    deactivated or away today go to the next available person (so the first
    day of an absence hands them over, and a lead that reached someone at
    the moment they left is caught too); the absences that started are
    marked as handed over. Each lead is moved once however many workers run
    (its row is locked and read again). Returns how many leads moved."""
    today = business_today(now)
    unavailable = _unavailable_owners(today)
    started = db.select(AbsenceRow).where(
        AbsenceRow.starts <= today, AbsenceRow.ends >= today, AbsenceRow.handed_over_at.is_(None)
    )
    if (
        not unavailable
        and db.session.scalar(started.with_only_columns(AbsenceRow.id).limit(1)) is None
    ):
        db.session.rollback()
        return 0
    begin_write()
    moved = sum(hand_over(owner, why, today=today) for owner, why in unavailable.items())
    for absence in db.session.scalars(started):
        absence.handed_over_at = utcnow()
    db.session.commit()
    return moved


def absence_saved(absence: AbsenceRow, by: int | None) -> int:
    """After adding `absence`: when it covers today, hand the person's waiting
    opportunities over now (else the worker does on its first day). The
    caller commits; returns how many leads moved."""
    today = business_today()
    if not absence.starts <= today <= absence.ends:
        return 0
    absence.handed_over_at = utcnow()
    return hand_over(absence.user_id, ABSENCE_STARTED, by)


# Why a hand-over moved a lead (logged, followed by how the new owner was chosen).
ABSENCE_STARTED = "its owner is away"
DEACTIVATED = "its owner was deactivated"
# How long a first step's owner e-mail waits for the qualifying step.
SECOND_STEP_GRACE = timedelta(minutes=2)
