"""First-response times on the insights page: per owner and per channel for
the clocks that started in a period, and the opportunities overdue now.

One query reads the period's clocks (over the index on their start) with
their lead's channel and the owner they count for; the arithmetic is the
domain's (capture/domain/response_times.py). A clock counts for the person
who had the lead when it stopped, a running one for the lead's owner now.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func

from ..domain.response_times import Clock, ResponseTimes, response_times_by
from ..domain.vocabulary import CHANNELS
from ..extensions import db
from ..models import Lead, ResponseClock, User
from .queries import Bounds


@dataclass(frozen=True)
class Owner:
    """Whom a row of the owners' table is about; id None: nobody (unassigned)."""

    id: int | None
    name: str
    email: str | None = None


NOBODY = Owner(None, "")


@dataclass(frozen=True)
class FirstResponses:
    """The period's response times, by owner (by name, nobody last) and by
    channel (in the vocabulary's order), and for all the clocks together."""

    owners: list[tuple[Owner, ResponseTimes]]
    channels: list[tuple[str, ResponseTimes]]
    total: ResponseTimes


def first_responses(bounds: Bounds, now: datetime, form_id: int | None = None) -> FirstResponses:
    """The clocks that started within `bounds` (of leads first brought in by
    form `form_id`, if given), as of `now`."""
    owner_id = case(
        (ResponseClock.stopped_at.is_(None), Lead.owner_id), else_=ResponseClock.owner_id
    )
    conditions = [ResponseClock.started_at >= bounds.start, ResponseClock.started_at < bounds.end]
    if form_id is not None:
        conditions.append(Lead.first_form_id == form_id)
    rows = db.session.execute(
        db.select(
            ResponseClock.target_minutes,
            ResponseClock.respond_by,
            ResponseClock.stopped_at,
            ResponseClock.response_minutes,
            Lead.channel,
            owner_id.label("owner_id"),
            User.name,
            User.email,
        )
        .join(Lead, Lead.id == ResponseClock.lead_id)
        .outerjoin(User, User.id == owner_id)
        .where(*conditions)
    ).all()
    owners, clocks = {}, []
    for row in rows:
        owner = Owner(row.owner_id, row.name or row.email, row.email) if row.owner_id else NOBODY
        owners[owner.id] = owner
        clock = Clock(row.target_minutes, row.respond_by, row.stopped_at, row.response_minutes)
        clocks.append((owner.id, row.channel, clock))
    by_owner, total = response_times_by(((owner, clock) for owner, _, clock in clocks), now)
    by_channel, _ = response_times_by(((channel, clock) for _, channel, clock in clocks), now)
    named = sorted(
        (owners[key] for key in by_owner),
        key=lambda owner: (owner.id is None, owner.name.casefold(), owner.id or 0),
    )
    return FirstResponses(
        [(owner, by_owner[owner.id]) for owner in named],
        [(channel, by_channel[channel]) for channel in _in_order(by_channel)],
        total,
    )


def _in_order(channels) -> list[str]:
    """The vocabulary's channels first, in its order; any other after, by name."""
    known = [channel for channel in CHANNELS if channel in channels]
    return known + sorted(channel for channel in channels if channel not in CHANNELS)


def overdue_opportunities(now: datetime) -> int:
    """How many opportunities wait past their deadline now, whoever's they
    are and whenever they came in (over the (list, respond_by) index)."""
    return db.session.scalar(
        db.select(func.count())
        .select_from(Lead)
        .where(Lead.list == "opportunity", Lead.respond_by < now)
    )
