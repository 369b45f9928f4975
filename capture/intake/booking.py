"""Book a call: the thank-you's link to the owner's calendar (or the form's),
through a signed redirect of ours `/book/<token>` that records the opening.

The link names the submission, not a destination: where it leads is read
when it is opened (the lead's owner then, who may have changed), and the
booking page gets the name and e-mail the visitor typed, where the tool
documents parameters for them.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import make_response, redirect, render_template
from itsdangerous import BadSignature
from sqlalchemy import select

from ..db.transactions import begin_write
from ..extensions import db
from ..models import Form, Lead, Submission, User, utcnow
from ..web.base_url import absolute_url
from . import bp
from .robots import opened_by_a_person
from .tokens import serializer_for

BOOKING_SALT = "leadgate.booking"
# How long the link on a thank-you works: a visitor may come back to it later.
BOOKING_MAX_AGE = 30 * 86400
# Booking pages that document `name` and `email` query parameters to fill in
# the person (Calendly, Cal.com); others (Microsoft Bookings, Google's
# appointment pages) get the bare link.
PREFILLS_NAME_AND_EMAIL = frozenset({"calendly.com", "cal.com", "app.cal.com"})

_SUBMISSIONS, _LEADS, _FORMS, _USERS = (model.__table__ for model in (Submission, Lead, Form, User))
_BOOKING_OF = (
    db.select(
        _SUBMISSIONS.c.lead_id,
        _SUBMISSIONS.c.answers,
        _FORMS.c.booking_url.label("form_link"),
        _USERS.c.booking_url.label("owner_link"),
        _USERS.c.name.label("owner_name"),
    )
    .select_from(_SUBMISSIONS)
    .join(_LEADS, _LEADS.c.id == _SUBMISSIONS.c.lead_id)
    .outerjoin(_FORMS, _FORMS.c.id == _SUBMISSIONS.c.form_id)
    # A deactivated owner takes no calls: the form's link then.
    .outerjoin(_USERS, (_USERS.c.id == _LEADS.c.owner_id) & _USERS.c.active)
    .where(_SUBMISSIONS.c.id == db.bindparam("submission_id"))
)


@dataclass(frozen=True)
class Booking:
    """Where a submission's visitor books a call: the owner's calendar
    (`owner_name` their name as stored, None when they have none) or the form's."""

    lead_id: int
    url: str
    owner_name: str | None
    name: str | None
    email: str | None


def _is_web_link(url: str | None) -> bool:
    """http(s) with a host: the forms that store the links check that, and a
    link from before them that does not pass is not followed."""
    try:
        parts = urlsplit(url or "")
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. "https://[not-an-ip"
        return False


def booking_for(submission_id: int) -> Booking | None:
    """The booking of the submission's lead now, or None: no such submission
    (erased), or neither its owner nor its form has a booking link."""
    row = db.session.execute(_BOOKING_OF, {"submission_id": submission_id}).one_or_none()
    if row is None:
        return None
    answers = row.answers or {}
    typed = {"lead_id": row.lead_id, "name": answers.get("name"), "email": answers.get("email")}
    if _is_web_link(row.owner_link):
        return Booking(url=row.owner_link, owner_name=row.owner_name or None, **typed)
    if _is_web_link(row.form_link):
        return Booking(url=row.form_link, owner_name=None, **typed)
    return None


def booking_holes(submission) -> dict[str, str]:
    """The thank-you's holes for booking a call (see blank_pages): `booking`,
    our signed link, and `booking_with`, the owner's name when it leads to
    their calendar. Empty when there is nowhere to book."""
    booking = booking_for(submission.id)
    if booking is None:
        return {}
    token = serializer_for(BOOKING_SALT).dumps({"s": submission.id})
    holes = {"booking": absolute_url("intake.book", token=token)}
    if booking.owner_name:
        holes["booking_with"] = booking.owner_name
    return holes


def prefilled(url: str, name: str | None, email: str | None) -> str:
    """`url` with the person's name and e-mail added as the booking tool
    documents them (the tool's other parameters kept); else `url` as it is."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    given = {key: value for key, value in (("name", name), ("email", email)) if value}
    if host not in PREFILLS_NAME_AND_EMAIL or not given:
        return url
    kept = [pair for pair in parse_qsl(parts.query, keep_blank_values=True) if pair[0] not in given]
    return urlunsplit(parts._replace(query=urlencode(kept + list(given.items()))))


def _submission_id(token: str) -> int | None:
    """The submission a booking link names; None when forged or expired."""
    try:
        payload = serializer_for(BOOKING_SALT).loads(token, max_age=BOOKING_MAX_AGE)
    except BadSignature:  # SignatureExpired too
        return None
    found = payload.get("s") if isinstance(payload, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


# Openings closer together than this count once (a public GET must not
# take the write lock as often as someone can click).
OPENINGS_APART = timedelta(minutes=1)


def _record_opening(lead_id: int) -> None:
    """booking_opened_at = now: the last time the person opened the link
    (an opening within OPENINGS_APART of the last one writes nothing)."""
    now = utcnow()
    last = db.session.scalar(select(_LEADS.c.booking_opened_at).where(_LEADS.c.id == lead_id))
    if last is not None and now - last < OPENINGS_APART:
        db.session.rollback()
        return
    begin_write()
    opened = _LEADS.update().where(_LEADS.c.id == lead_id).values(booking_opened_at=now)
    db.session.execute(opened)
    db.session.commit()


@bp.get("/book/<token>")
def book(token: str):
    """Open the booking page, the person's name and e-mail filled in, and
    record the opening on the lead (not for a HEAD or a link preview).

    A forged or expired link, or one that leads nowhere now: a page that
    says so (404), nothing recorded. Sets no cookie; the booking page gets
    no referrer (Referrer-Policy, capture/web/security_headers.py)."""
    submission_id = _submission_id(token)
    booking = booking_for(submission_id) if submission_id is not None else None
    if booking is None:
        page = render_template("intake/booking_unavailable.html", days=BOOKING_MAX_AGE // 86400)
        response = make_response(page, 404)
    else:
        if opened_by_a_person():
            _record_opening(booking.lead_id)
        response = redirect(prefilled(booking.url, booking.name, booking.email), 303)
    response.headers["Cache-Control"] = "no-store"
    return response
