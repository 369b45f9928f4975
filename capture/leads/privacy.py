"""A person's data on request and over time: export it, erase it, purge the old.

Erasing removes the lead and everything about the person (submissions,
answers, notes, the routing and owner logs, response clocks, downloads,
notifications) and leaves two things without personal data: an ErasedLead
row, so the insights still add up, and an Erasure row saying when, why and
by whom. The anonymous funnel counters (form_counts) hold no person and stay
as they are.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from ..access.lockout import forget_expired as forget_expired_login_failures
from ..db.transactions import begin_write
from ..domain.funnel import reason_group
from ..extensions import db
from ..models import (
    ConsentVersion,
    Download,
    ErasedLead,
    Erasure,
    Lead,
    ListChange,
    Note,
    Outbox,
    OwnerChange,
    ResponseClock,
    Submission,
    utcnow,
)
from .funnel_counts import slot_of
from .qualification import current_rules


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _columns(row, skip=()) -> dict:
    found = {}
    for column in row.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(row, column.key)
        found[column.key] = _iso(value) if isinstance(value, datetime) else value
    return found


def person_export(lead: Lead) -> dict:
    """Everything Leadgate stores about the person behind `lead`, as JSON values."""
    consents = {
        version.id: version
        for version in db.session.scalars(
            select(ConsentVersion).where(
                ConsentVersion.id.in_([s.consent_version_id for s in lead.submissions])
            )
        )
    }
    submissions = []
    for submission in lead.submissions:
        entry = _columns(submission, skip={"lead_id", "consent_version_id", "nonce"})
        version = consents.get(submission.consent_version_id)
        entry["consent"] = (
            None
            if version is None
            else {
                "version": version.version,
                "text": version.text,
                "marketing_text": version.marketing_text,
                "language": version.language,
                "privacy_url": version.privacy_url,
                "accepted_at": _iso(submission.consented_at),
                "marketing_accepted": submission.marketing_consent,
            }
        )
        entry["form"] = submission.form.slug if submission.form else None
        submissions.append(entry)
    notifications = db.session.scalars(select(Outbox).where(Outbox.lead_id == lead.id)).all()
    return {
        "exported_at": _iso(utcnow()),
        "lead": _columns(lead),
        "submissions": submissions,
        "list_changes": [
            {**_columns(change, skip={"lead_id", "user_id"}), "by": change.actor}
            for change in lead.list_changes
        ],
        "owner_changes": [
            {
                "from": change.from_user.email if change.from_user else None,
                "to": change.to_user.email if change.to_user else None,
                "reason": change.reason,
                "by": change.user.email if change.user else "rules",
                "created_at": _iso(change.created_at),
            }
            for change in lead.owner_changes
        ],
        "response_clocks": [
            {
                **_columns(clock, skip={"id", "lead_id", "owner_id"}),
                "owner": clock.owner.email if clock.owner else None,
            }
            for clock in lead.response_clocks
        ],
        "notes": [
            {**_columns(note, skip={"lead_id", "user_id"}), "by": note.user.email}
            for note in lead.notes
        ],
        "downloads": [
            {**_columns(download, skip={"lead_id"}), "ebook": download.ebook.title}
            for download in lead.downloads
        ],
        "notifications": [_columns(row, skip={"lead_id", "lease_until"}) for row in notifications],
    }


def _anonymous(lead: Lead) -> ErasedLead:
    """What the insights count of `lead`, without the person."""
    first_seen = slot_of(lead.first_interest_at)
    response = None
    if lead.first_response_at is not None:
        response = first_seen + (lead.first_response_at - lead.first_interest_at)
    return ErasedLead(
        first_interest_at=first_seen,
        channel=lead.channel,
        source=lead.source,
        utm_campaign=lead.utm_campaign,
        first_form_id=lead.first_form_id,
        list=lead.list,
        reason=reason_group(lead.reason, current_rules().disqualification_reasons)
        if lead.list == "disqualified"
        else "",
        outcome=lead.outcome,
        first_response_at=response,
    )


def erase(lead: Lead, reason: str, user_id: int | None = None) -> Erasure:
    """Erase the person behind `lead` inside the caller's write transaction.

    The caller commits. Returns the Erasure logged for it.
    """
    counts = {}
    for name, model in (("downloads", Download), ("notes", Note), ("notifications", Outbox)):
        counts[name] = db.session.execute(delete(model).where(model.lead_id == lead.id)).rowcount
    db.session.execute(delete(ListChange).where(ListChange.lead_id == lead.id))
    db.session.execute(delete(OwnerChange).where(OwnerChange.lead_id == lead.id))
    db.session.execute(delete(ResponseClock).where(ResponseClock.lead_id == lead.id))
    counts["submissions"] = db.session.execute(
        delete(Submission).where(Submission.lead_id == lead.id)
    ).rowcount
    db.session.add(_anonymous(lead))
    db.session.execute(delete(Lead).where(Lead.id == lead.id))
    # What the session still holds of the person is gone from the database.
    for held in list(db.session):
        if held is lead or getattr(held, "lead_id", None) == lead.id:
            db.session.expunge(held)
    erasure = Erasure(reason=reason, user_id=user_id, **counts)
    db.session.add(erasure)
    return erasure


def erase_by_request(lead_id: int, user_id: int | None = None) -> Erasure | None:
    """Erase lead `lead_id` because the person asked; None if it is gone already."""
    begin_write()
    lead = db.session.scalars(
        select(Lead).where(Lead.id == lead_id).with_for_update()
    ).one_or_none()
    if lead is None:
        db.session.commit()
        return None
    erasure = erase(lead, "request", user_id)
    db.session.commit()
    return erasure


@dataclass(frozen=True)
class Retention:
    """How long leads are kept after their last interest (0 days: for good)."""

    disqualified_days: int
    cold_days: int

    @classmethod
    def from_config(cls) -> "Retention":
        config = current_app.config
        return cls(config["LEADS_KEEP_DISQUALIFIED_DAYS"], config["LEADS_KEEP_COLD_DAYS"])

    def past(self, now: datetime):
        """The condition for leads past their time.

        Disqualified leads go `disqualified_days` after their last interest;
        nurtured leads and lost opportunities `cold_days` after it. Open
        opportunities and customers (won) stay: sales are working on them.
        """
        conditions = []
        if self.disqualified_days:
            since = now - timedelta(days=self.disqualified_days)
            conditions.append((Lead.list == "disqualified") & (Lead.last_interest_at < since))
        if self.cold_days:
            since = now - timedelta(days=self.cold_days)
            cold = (Lead.list == "nurture") | (
                (Lead.list == "opportunity") & (Lead.outcome == "lost")
            )
            conditions.append(cold & (Lead.last_interest_at < since))
        return or_(*conditions) if conditions else None


def due_for_purge(now: datetime | None = None) -> list[tuple[int, str, datetime]]:
    """(lead id, list, last interest) of every lead past retention, oldest first."""
    condition = Retention.from_config().past(now or utcnow())
    if condition is None:
        return []
    rows = db.session.execute(
        select(Lead.id, Lead.list, Lead.last_interest_at)
        .where(condition)
        .order_by(Lead.last_interest_at, Lead.id)
    )
    return [tuple(row) for row in rows]


# Delivered notifications (they carry the person's details) are kept this long.
DELIVERED_KEPT = timedelta(days=30)


def purge(now: datetime | None = None, batch: int = 500) -> int:
    """Erase every lead past retention, a batch per transaction; returns how many.

    Each lead is checked again under the write lock: one that came back
    (new interest) since it was listed is kept. Notifications delivered more
    than 30 days ago go too, and so do the failed-login counts whose window
    and lock are over (they hold addresses typed at the login, known or not).
    """
    now = now or utcnow()
    begin_write()
    db.session.execute(
        delete(Outbox).where(
            Outbox.status == "delivered", Outbox.delivered_at < now - DELIVERED_KEPT
        )
    )
    forget_expired_login_failures(now)
    db.session.commit()
    condition = Retention.from_config().past(now)
    if condition is None:
        return 0
    erased = 0
    while True:
        begin_write()
        leads = db.session.scalars(
            select(Lead).where(condition).order_by(Lead.id).limit(batch).with_for_update()
        ).all()
        for lead in leads:
            erase(lead, "retention")
        db.session.commit()
        erased += len(leads)
        if len(leads) < batch:
            return erased
