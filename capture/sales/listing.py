"""The incoming-leads query: filters, who-to-call-first order, keyset pages.

Order: first the leads whose response clock runs (on the opportunities;
a nurture list with a target too), overdue and soonest due first, by
`respond_by`: one range of `ix_leads_list_respond_by` (one owner's, or
nobody's: of the partial `ix_leads_list_owner_respond_by`). Then the others
by warmth (hot, warm, cold), then score, then newest interest. Warmth is a
time band of `last_interest_at`, so each band is one index range, read in
(score, last interest, id) order. A page continues from a cursor, never from
an OFFSET, so page 1,000 costs what page 1 does. One owner's (or nobody's)
leads of a list are one range of `ix_leads_list_owner_score`, in the same order.
"""

import base64
import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement, exists, false, func, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from ..domain.assignment import Person
from ..domain.rules import QualificationRules
from ..domain.triage import TARGET_LISTS
from ..domain.vocabulary import CHANNELS, LISTS, WARMTHS
from ..extensions import db
from ..models import Form, Lead, Submission, User
from ..web.row_ids import is_row_id
from .search import text_condition

PAGE_SIZE = 50
# The longest search text kept; the search box's maxlength.
SEARCH_MAX_LENGTH = 100


# `?owner=`: whose leads the list shows. Besides these words, a user's id.
OWNER_WORDS = ("me", "none", "all")
# `?due=overdue`: only the leads whose response clock ran out.
OVERDUE = "overdue"


@dataclass(frozen=True)
class Viewer:
    """The person looking at the list: who "me" is, and whether they take
    leads (then their opportunity list opens on My leads)."""

    id: int | None = None
    takes_leads: bool = False


@dataclass(frozen=True)
class LeadFilters:
    """What the list shows; every field but `viewer` comes from the URL."""

    list: str | None = "opportunity"
    channel: str | None = None
    warmth: str | None = None
    form: str | None = None
    since: date | None = None
    until: date | None = None
    q: str | None = None
    # Only leads whose answers changed and wait for a person's check.
    changed: bool = False
    # Whose leads, as the URL names them ("me", "none", "all" or a user id);
    # None: the list's default. Only a choice made stays in links, so a tab
    # to another list opens on that list's own default.
    owner: str | None = None
    # "overdue": only the leads past their `respond_by`; None: any.
    due: str | None = None
    viewer: Viewer = Viewer()

    @property
    def default_owner(self) -> str:
        """My leads on the opportunity list of a person who takes leads; everyone's elsewhere."""
        return "me" if self.list == "opportunity" and self.viewer.takes_leads else "all"

    @property
    def whose(self) -> str:
        """Whose leads the list shows: "me", "none", "all" or a user id."""
        return self.owner or self.default_owner

    @property
    def owner_id(self) -> int | None:
        """The user whose leads the list shows, if one person's."""
        if self.whose == "me":
            return self.viewer.id
        return int(self.whose) if self.whose.isdigit() else None

    def as_args(self, **changes) -> dict:
        """Query-string arguments for these filters (None and empty left out)."""
        values = {**self.__dict__, **changes}
        values["changed"] = "1" if values["changed"] else None
        del values["viewer"]
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def _date(raw: str | None) -> date | None:
    """An ISO date from the URL, or None when absent, malformed or absurd."""
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day and 1900 <= day.year <= 2999 else None


def _printable(raw: str | None, limit: int) -> str:
    return "".join(ch for ch in (raw or "") if ch.isprintable()).strip()[:limit]


def _owner(raw: str | None, user_ids) -> str | None:
    """An owner choice from the URL: a word, or the id of one of `user_ids`; else None."""
    if raw in OWNER_WORDS:
        return raw
    if raw and raw.isascii() and raw.isdigit() and is_row_id(int(raw)) and int(raw) in user_ids:
        return str(int(raw))
    return None


def filters_from_args(
    args,
    default_list: str | None = "opportunity",
    viewer: Viewer = Viewer(),
    user_ids=frozenset(),
) -> LeadFilters:
    """Read filters from request args; unknown values are dropped, not errors.

    `owner=<id>` counts only for one of `user_ids` (anyone else: the default).
    """
    chosen = args.get("list", default_list)
    q = _printable(args.get("q"), SEARCH_MAX_LENGTH)
    return LeadFilters(
        list=chosen if chosen in LISTS else default_list,
        channel=args.get("channel") if args.get("channel") in CHANNELS else None,
        warmth=args.get("warmth") if args.get("warmth") in WARMTHS else None,
        form=_printable(args.get("form"), 80) or None,
        since=_date(args.get("since")),
        until=_date(args.get("until")),
        q=q or None,
        changed=args.get("changed") == "1",
        owner=_owner(args.get("owner"), user_ids),
        due=OVERDUE if args.get("due") == OVERDUE else None,
        viewer=viewer,
    )


def request_filters(
    everyone: list[Person], default_list: str | None = "opportunity", my_leads_first: bool = True
) -> LeadFilters:
    """This request's filters as the logged-in user sees them (`everyone`:
    owners.people(), which says whether they take leads). `my_leads_first`
    False: no list opens on My leads (the export names the owner it wants)."""
    me = next((person for person in everyone if person.id == current_user.id), None)
    viewer = Viewer(current_user.id, my_leads_first and me is not None and me.takes_leads)
    user_ids = {person.id for person in everyone}
    return filters_from_args(request.args, default_list, viewer, user_ids)


def lead_owners(user_ids: set[int]) -> set[int]:
    """Those of `user_ids` who own a lead (an index probe per person, not a
    scan of the leads for their distinct owners)."""
    if not user_ids:
        return set()
    owns = exists().where(Lead.owner_id == User.id)
    return set(db.session.scalars(db.select(User.id).where(User.id.in_(user_ids), owns)))


@dataclass(frozen=True)
class Bands:
    """The warmth bands' lower bounds at one moment, kept for all pages."""

    now: datetime
    hot_since: datetime
    warm_since: datetime

    @classmethod
    def at(cls, now: datetime, rules: QualificationRules) -> "Bands":
        return cls(now, now - timedelta(days=rules.hot_days), now - timedelta(days=rules.warm_days))

    def condition(self, band: int, column=Lead.last_interest_at):
        if band == 0:
            return column >= self.hot_since
        if band == 1:
            return (column >= self.warm_since) & (column < self.hot_since)
        return column < self.warm_since


class filter_only(ColumnElement):
    """`column`, compared without searching an index by it: SQLite's unary
    "+" (its documented way to say so); other databases read the column.

    One owner's leads of a band: read in ix_leads_list_owner_score's order,
    the band checked on each index entry, until a page is full. Without
    the "+", SQLite's statistics (an average over owners, nobody's nurture
    leads included) make it read the band's range of everyone's leads from
    ix_leads_list_last_interest and sort them: 10,000s of rows at scale.
    PostgreSQL's statistics see the owner and choose the index unaided.
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column):
        self.column = column
        self.type = column.type  # binds keep the column's type (UTC timestamps)


@compiles(filter_only)
def _read_the_column(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(filter_only, "sqlite")
def _read_without_the_index(element, compiler, **kw):
    return "+" + compiler.process(element.column, **kw)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


FEW_LEADS = 5_000


def _used_form(slug: str):
    """Leads with a submission of the form `slug`, planned by how many there are.

    A form few leads used: the set of their ids (one index range). A form many
    used: a check per lead as the list is read, which stops at a page.
    """
    form_id = db.session.scalar(db.select(Form.id).where(Form.slug == slug))
    used = db.select(Submission.lead_id).where(Submission.form_id == form_id)
    how_many = db.select(func.count()).select_from(used.limit(FEW_LEADS + 1).subquery())
    if db.session.scalar(how_many) <= FEW_LEADS:
        return Lead.id.in_(used)
    return exists().where(Submission.lead_id == Lead.id, Submission.form_id == form_id)


def owner_condition(filters: LeadFilters, column=Lead.owner_id):
    """The SQL condition for whose leads these are; None for everyone's."""
    if filters.whose == "all":
        return None
    if filters.whose == "none":
        return column.is_(None)
    owner_id = filters.owner_id
    return column == owner_id if owner_id is not None else false()


def filter_conditions(
    filters: LeadFilters, zone: ZoneInfo, now: datetime, with_list: bool = True
) -> list:
    """SQL conditions for everything but warmth and paging, at `now` (overdue is by then).

    `with_list=False` leaves out the list and its owner (whose default is the
    list's): the tabs add each list's own.
    """
    conditions = []
    if with_list and filters.list:
        conditions.append(Lead.list == filters.list)
    owned = owner_condition(filters) if with_list else None
    if owned is not None:
        conditions.append(owned)
    if filters.channel:
        conditions.append(Lead.channel == filters.channel)
    if filters.changed:
        conditions.append(Lead.answers_changed_at.is_not(None))
    if filters.due == OVERDUE:
        conditions.append(Lead.respond_by < now)
    if filters.form:
        conditions.append(_used_form(filters.form))
    if filters.since:
        conditions.append(Lead.last_interest_at >= _local_midnight(filters.since, zone))
    if filters.until:
        end = _local_midnight(filters.until + timedelta(days=1), zone)
        conditions.append(Lead.last_interest_at < end)
    searched = text_condition(filters.q) if filters.q else None
    if searched is not None:
        conditions.append(searched)
    return conditions


# The cursor's "band" for the leads with a running clock, read before the warmth bands.
DUE = -1


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after this lead, in this part of the list
    (DUE, or a warmth band), at this moment. `at` is the moment the part is
    ordered by: `respond_by` in DUE (where the score plays no part), else
    `last_interest_at`."""

    band: int
    score: int
    at: datetime
    id: int
    now: datetime

    def encode(self) -> str:
        at, now = self.at.isoformat(), self.now.isoformat()
        raw = json.dumps([self.band, self.score, at, self.id, now])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str | None) -> "Cursor | None":
        if not token:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            band, score, at, lead_id, now = json.loads(raw)
            at, now = datetime.fromisoformat(at), datetime.fromisoformat(now)
            score, lead_id = int(score), int(lead_id)
        except (ValueError, TypeError, OverflowError):
            return None
        sane = (
            band in (DUE, 0, 1, 2)
            and at.tzinfo is not None
            and now.tzinfo is not None
            and abs(score) < 2**31
            and is_row_id(lead_id)
            and abs(datetime.now(UTC) - now) < timedelta(days=2)
        )
        return cls(band, score, at, lead_id, now) if sane else None


@dataclass
class Page:
    leads: list[Lead]
    bands: list[int]
    next_cursor: str | None


def band_of(lead: Lead, bands: Bands) -> int:
    if lead.last_interest_at >= bands.hot_since:
        return 0
    return 1 if lead.last_interest_at >= bands.warm_since else 2


def _due_part(filters: LeadFilters, conditions: list, bands: Bands, cursor: Cursor | None):
    """The leads whose clock runs, overdue and soonest due first. The warmth
    chosen is checked on each (few leads have a clock), not searched by."""
    stmt = db.select(Lead).where(*conditions, Lead.respond_by.is_not(None))
    if filters.warmth:
        band = WARMTHS.index(filters.warmth)
        stmt = stmt.where(bands.condition(band, filter_only(Lead.last_interest_at)))
    if cursor and cursor.band == DUE:
        stmt = stmt.where(tuple_(Lead.respond_by, Lead.id) > tuple_(cursor.at, cursor.id))
    order = [Lead.respond_by, Lead.id]
    if filters.whose != "all":
        # As in _band_part, the owner first; ascending like the index reads
        # forwards (PostgreSQL: nobody's leads, NULLs, come last in it).
        order.insert(0, Lead.owner_id.asc().nulls_last())
    return stmt.order_by(*order)


def _band_part(
    filters: LeadFilters,
    conditions: list,
    bands: Bands,
    band: int,
    cursor: Cursor | None,
    due_first: bool,
):
    """One warmth band's leads, best first; after DUE, those without a clock.

    One owner's (or nobody's) leads are read from ix_leads_list_owner_score
    in its order: the band filters as the index is read (`filter_only`), and
    the order names the owner first, constant here, because PostgreSQL does
    not take `owner_id IS NULL` to fix the column as `owner_id = 7` does.
    """
    order = [Lead.score.desc(), Lead.last_interest_at.desc(), Lead.id.desc()]
    interest = Lead.last_interest_at
    if filters.whose != "all":
        order.insert(0, Lead.owner_id.desc().nulls_first())
        interest = filter_only(Lead.last_interest_at)
    stmt = db.select(Lead).where(*conditions, bands.condition(band, interest))
    if due_first:
        # Checked on each lead, never searched by: SQLite's statistics would
        # take "no deadline" (most leads) for a few rows of ix_leads_list_respond_by.
        stmt = stmt.where(filter_only(Lead.respond_by).is_(None))
    if cursor and band == cursor.band:
        stmt = stmt.where(
            tuple_(Lead.score, Lead.last_interest_at, Lead.id)
            < tuple_(cursor.score, cursor.at, cursor.id)
        )
    return stmt.order_by(*order)


def lead_page(
    filters: LeadFilters,
    rules: QualificationRules,
    zone: ZoneInfo,
    now: datetime,
    cursor: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of leads in who-to-call-first order, after `cursor`: on a list
    with response targets, those whose clock runs (DUE) first, then the
    warmth bands. With `due=overdue` only the first part, past due."""
    bands = Bands.at(cursor.now if cursor else now, rules)
    conditions = filter_conditions(filters, zone, bands.now)
    due_first = filters.list in TARGET_LISTS
    parts = [DUE] if due_first or filters.due == OVERDUE else []
    if filters.due != OVERDUE:
        parts += [WARMTHS.index(filters.warmth)] if filters.warmth else [0, 1, 2]
    if cursor:
        parts = [part for part in parts if part >= cursor.band]
    found: list[tuple[int, Lead]] = []
    for part in parts:
        if part == DUE:
            stmt = _due_part(filters, conditions, bands, cursor)
        else:
            stmt = _band_part(filters, conditions, bands, part, cursor, due_first)
        found += [(part, lead) for lead in db.session.scalars(stmt.limit(size + 1 - len(found)))]
        if len(found) > size:
            break
    page, more = found[:size], len(found) > size
    next_cursor = None
    if more and page:
        part, last = page[-1]
        at = last.respond_by if part == DUE else last.last_interest_at
        next_cursor = Cursor(part, last.score, at, last.id, bands.now).encode()
    leads = [lead for _, lead in page]
    return Page(leads, [band_of(lead, bands) for lead in leads], next_cursor)


COUNT_CAP = 10_000


def list_counts(filters: LeadFilters, rules: QualificationRules, zone: ZoneInfo, now: datetime):
    """Leads per list under the same filters (the tabs' numbers): each tab
    counts what its link shows, its owner the one chosen or the list's default.

    Counting stops past COUNT_CAP (shown as "10,000+"): an exact count of half
    a million leads costs a full scan on every page view and helps no one.
    """
    conditions = filter_conditions(filters, zone, now, with_list=False)
    bands = Bands.at(now, rules)
    counts = {}
    for name in LISTS:
        tab, interest = [Lead.list == name, *conditions], Lead.last_interest_at
        owned = owner_condition(replace(filters, list=name))
        if owned is not None:
            # One owner's leads: counted from their index entries, as lead_page reads them.
            tab.append(owned)
            interest = filter_only(Lead.last_interest_at)
        if filters.warmth:
            tab.append(bands.condition(WARMTHS.index(filters.warmth), interest))
        capped = db.select(Lead.id).where(*tab).limit(COUNT_CAP + 1).subquery()
        counts[name] = db.session.scalar(db.select(func.count()).select_from(capped))
    return counts


def newer_than(filters: LeadFilters, zone: ZoneInfo, since: datetime, now: datetime) -> int:
    """How many leads in the list showed interest after `since` until `now` (the live banner);
    with `due=overdue`, how many ran out of time meanwhile (the warmth not checked).

    New interest is hot: a list filtered to warm or cold leads gets none.
    """
    fresh = Lead.last_interest_at > since
    if filters.due == OVERDUE:
        fresh = Lead.respond_by > since  # and before `now`: filter_conditions
    elif filters.warmth in ("warm", "cold"):
        return 0
    conditions = filter_conditions(filters, zone, now, with_list=False)
    if filters.list:
        conditions.append(Lead.list == filters.list)
    # A few minutes' interest is a short range of ix_leads_list_last_interest:
    # the owner is checked on each lead in it, not all of theirs read from
    # their own index (which SQLite would choose).
    owned = owner_condition(filters, filter_only(Lead.owner_id))
    if owned is not None:
        conditions.append(owned)
    return db.session.scalar(db.select(func.count(Lead.id)).where(*conditions, fresh))


def latest_forms(lead_ids: list[int]) -> dict[int, str]:
    """The title of the form each lead used last (hand-entered: 'Entered by hand')."""
    if not lead_ids:
        return {}
    rows = db.session.execute(
        db.select(Submission.lead_id, Form.title)
        .outerjoin(Form, Form.id == Submission.form_id)
        .where(Submission.lead_id.in_(lead_ids))
        .order_by(Submission.created_at, Submission.id)
    ).all()
    by_hand = _("Entered by hand")
    return {lead_id: title or by_hand for lead_id, title in rows}
