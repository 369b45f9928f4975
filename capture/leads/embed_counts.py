"""Where each form is embedded: how often a site showed it, per day, and
whether it was let (EmbedCount), for the admin's form page.

A showing is counted from the origin of the page framing the form (what the
browser sends as Referer): scheme, host and port, never a page address or a
visitor. Refused showings count too: that is how an owner who restricted a
form learns they forgot their shop's domain. Junk cannot grow the table or a
worker: only http(s) origins of at most 200 characters are counted, a form
takes at most MOST_ORIGINS_A_DAY origins a day (a new one beyond is not
stored; the known ones keep counting), and each worker gathers at most
capture/db/tallies.MOST_WAITING of them between writes.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from flask import Flask
from sqlalchemy import Boolean, Connection, Date, Integer, String, bindparam, exists, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db.tallies import Counted, Tally, gather, tally
from ..extensions import db
from ..models import EmbedCount, Form, utcnow
from ..web.origins import may_embed, origin_or_none

MOST_ORIGINS_A_DAY = 100
# The admin's page looks back this many days, today included.
WINDOW_DAYS = 30
# Sites listed per kind on that page, the most showings first.
MOST_LISTED = 50


def _add_embeds(connection: Connection, embeds: list) -> None:
    statement = _add_bounded(connection.dialect.name)
    for (form_id, day, origin, allowed), number in embeds:
        values = {"form_id": form_id, "day": day, "origin": origin, "allowed": allowed}
        connection.execute(statement, {**values, "n": number, "most": MOST_ORIGINS_A_DAY})


# (form_id, day, origin, allowed) -> showings, gathered like the form views.
EMBEDS = Counted("leadgate.embed_tally", "embedded form showings", _add_embeds)


@lru_cache(maxsize=2)
def _add_bounded(dialect: str):
    """INSERT … SELECT … ON CONFLICT DO UPDATE adding :n, built once per dialect:
    an origin the form's day knows always counts, a new one only while that
    day has fewer than :most origins."""
    table = EmbedCount.__table__
    columns = table.c
    form_id, day = bindparam("form_id", type_=Integer), bindparam("day", type_=Date)
    origin, allowed = bindparam("origin", type_=String), bindparam("allowed", type_=Boolean)
    number, most = bindparam("n", type_=Integer), bindparam("most", type_=Integer)
    that_day = (columns.form_id == form_id) & (columns.day == day)
    known = exists().where(that_day, columns.origin == origin)
    origins = (
        db.select(db.func.count(db.distinct(columns.origin))).where(that_day).scalar_subquery()
    )
    row = db.select(form_id, day, origin, allowed, number).where(or_(known, origins < most))
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).from_select(["form_id", "day", "origin", "allowed", "count"], row)
    return statement.on_conflict_do_update(
        index_elements=["form_id", "day", "origin", "allowed"],
        set_={"count": columns.count + statement.excluded.count},
    )


def embed_tally(app: Flask) -> Tally:
    """The app's tally of showings waiting to be written (one per process)."""
    return tally(app, EMBEDS)


def count_embedding(app: Flask, form_id: int, origin: str, allowed: bool) -> None:
    """Count one showing of form `form_id` framed by a page of `origin`, which
    was `allowed` to show it or refused (it runs after the page was sent).
    What is not an http(s) origin of at most 200 characters is not counted."""
    counted = origin_or_none(origin)
    if counted is not None:
        gather(app, EMBEDS, (form_id, utcnow().date(), counted, allowed))


@dataclass(frozen=True)
class Site:
    """A site that showed a form: its origin, how often, and the last day it did."""

    origin: str
    showings: int
    last_day: date


@dataclass(frozen=True)
class EmbeddingSites:
    """Where a form was embedded in the last WINDOW_DAYS days.

    `shown`: the sites that showed it; `refused`: those that tried and would
    be refused still (a site since listed, or a form since opened to any
    site, is no longer refused). Each list holds the MOST_LISTED sites with
    the most showings; `more_shown`/`more_refused` say how many are left out.
    """

    shown: list[Site]
    refused: list[Site]
    more_shown: int = 0
    more_refused: int = 0


def embedding_sites(form: Form, today: date | None = None) -> EmbeddingSites:
    """The sites that showed `form`, and those refused, in the WINDOW_DAYS up to
    `today` (UTC, default: today)."""
    since = (today or utcnow().date()) - timedelta(days=WINDOW_DAYS - 1)
    showings = db.func.sum(EmbedCount.count)
    rows = db.session.execute(
        db.select(EmbedCount.origin, EmbedCount.allowed, showings, db.func.max(EmbedCount.day))
        .where(EmbedCount.form_id == form.id, EmbedCount.day >= since)
        .group_by(EmbedCount.origin, EmbedCount.allowed)
        .order_by(showings.desc(), EmbedCount.origin)
    ).all()
    shown = [Site(origin, int(n), last) for origin, allowed, n, last in rows if allowed]
    refused = [
        Site(origin, int(n), last)
        for origin, allowed, n, last in rows
        if not allowed and not may_embed(form, origin)
    ]
    return EmbeddingSites(
        shown=shown[:MOST_LISTED],
        refused=refused[:MOST_LISTED],
        more_shown=max(len(shown) - MOST_LISTED, 0),
        more_refused=max(len(refused) - MOST_LISTED, 0),
    )
