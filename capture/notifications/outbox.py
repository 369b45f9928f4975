"""Writing notifications: an outbox row per destination, in the transaction
that changes the lead, so a notification exists exactly when the change does.

The worker (capture/notifications/delivery.py) sends them. Destinations are settings:
LEADS_NOTIFY_EMAIL (sales' inbox) and LEADS_WEBHOOK_URL.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import get_locale

from ..db.cache import process_cache
from ..db.rows import insert_rows
from ..extensions import db
from ..leads.form_texts import texts_for
from ..models import Form, Lead, Outbox, Submission, User, utcnow
from ..web.base_url import absolute_url

OPPORTUNITY = "lead.opportunity"
NEW_LEAD = "lead.created"
# To a person: a lead is theirs now (their language).
ASSIGNED = "lead.assigned"
# To the admins: a lead needs an owner and nobody is available to take it.
UNASSIGNED = "lead.unassigned"
# To the owner: the lead's response target has passed (the legacy webhook gets it too).
OVERDUE = "lead.overdue"
# To the admins: a lead waited twice its response target.
ESCALATED = "lead.escalated"
# E-mails to the person who filled a form.
VISITOR_DOWNLOAD = "visitor.download"
VISITOR_CONFIRM = "visitor.confirm"


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def form_slug(form_id: int) -> str | None:
    """A form's slug, which never changes once the form exists (kept per process)."""
    return process_cache().get(
        "form slugs",
        form_id,
        lambda: db.session.scalar(db.select(Form.slug).where(Form.id == form_id)),
        ttl=None,
    )


def lead_payload(lead: Lead, event: str) -> dict:
    """What a notification says: the event and the lead, as plain JSON values."""
    form = form_slug(lead.first_form_id) if lead.first_form_id else None
    url = absolute_url("sales.lead", lead_id=lead.id)
    return {
        "event": event,
        "occurred_at": _iso(utcnow()),
        "lead": {
            "id": lead.id,
            "url": url,
            "name": lead.name,
            "email": lead.email,
            "phone": lead.phone,
            "company": lead.company,
            "sector": lead.sector,
            "headcount": lead.headcount,
            "role": lead.role,
            "list": lead.list,
            "reason": lead.reason,
            "score": lead.score,
            "channel": lead.channel,
            "source": lead.source,
            "campaign": lead.utm_campaign,
            "form": form,
            "first_interest_at": _iso(lead.first_interest_at),
            # The values host pages passed (hidden fields), the latest per name.
            "fields": dict(lead.fields or {}),
        },
    }


def destinations() -> list[tuple[str, str]]:
    """(channel, target) for every destination set up: e-mail, webhook or both."""
    config = current_app.config
    found = []
    emails = [a.strip() for a in config["LEADS_NOTIFY_EMAIL"].split(",") if a.strip()]
    if emails and config["LEADS_SMTP_HOST"]:
        found.append(("email", ", ".join(emails)))
    if config["LEADS_WEBHOOK_URL"]:
        found.append(("webhook", config["LEADS_WEBHOOK_URL"]))
    return found


def announce(lead: Lead, event: str) -> None:
    """Add the outbox rows for `event` about `lead` (the caller commits)."""
    places = destinations()
    if not places:
        return
    if lead.id is None:
        db.session.flush()  # a lead added to the session just now: its id
    payload = lead_payload(lead, event)
    rows = [
        {"event": event, "channel": channel, "target": target, "payload": payload}
        for channel, target in places
    ]
    insert_rows(Outbox, [{**row, "lead_id": lead.id} for row in rows])


def announce_routing(lead: Lead, was_opportunity: bool, new_lead: bool) -> None:
    """After a submission routed `lead`: announce a new opportunity (and, when
    LEADS_NOTIFY_EVERY_LEAD is on, every new lead)."""
    if lead.list == "opportunity" and not was_opportunity:
        announce(lead, OPPORTUNITY)
    elif new_lead and current_app.config["LEADS_NOTIFY_EVERY_LEAD"]:
        announce(lead, NEW_LEAD)


def mail_people(lead, event: str, people, extra: dict, hold: timedelta | None = None) -> None:
    """Queue `event` about `lead` by e-mail to each of `people` (Users), in
    their language; not sent before `hold` has passed."""
    if not current_app.config["LEADS_SMTP_HOST"]:
        return
    payload = lead_payload(lead, event) | extra
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    due = {"next_attempt_at": utcnow() + hold} if hold else {}
    rows = [
        {
            "event": event,
            "channel": "email",
            "target": person.email,
            "payload": payload | {"language": person.language or default},
            "lead_id": lead.id,
            **due,
        }
        for person in people
    ]
    if rows:
        insert_rows(Outbox, rows)


def announce_assignment(
    lead, owner_id: int, why: str, by: int | None, hold: timedelta | None = None
) -> None:
    """Tell the new owner of `lead` (a Lead or a Record of its row) that it is
    theirs, and why (the outbox event `lead.assigned`), once `hold` has
    passed. Not the person who gave it to themself: they know. Needs a mail
    server; the caller commits."""
    if by == owner_id or not current_app.config["LEADS_SMTP_HOST"]:
        return
    owner = db.session.get(User, owner_id)
    if owner is None or not owner.active:
        return
    giver = db.session.get(User, by) if by is not None else None
    extra = {
        "owner": {"email": owner.email, "name": owner.display_name},
        "why": why,
        "by": giver.display_name if giver else None,
    }
    mail_people(lead, ASSIGNED, [owner], extra, hold)


def withdraw_assignment(lead_id: int, owner_id: int) -> None:
    """Take back the e-mail telling `owner_id` that `lead_id` is theirs, if it
    has not been taken for sending yet (the lead went to someone else)."""
    owner = db.select(User.email).where(User.id == owner_id).scalar_subquery()
    db.session.execute(
        db.delete(Outbox).where(
            Outbox.lead_id == lead_id,
            Outbox.event == ASSIGNED,
            Outbox.status == "pending",
            Outbox.target == owner,
        )
    )


def tell_admins_nobody_available(lead) -> None:
    """E-mail every active admin: `lead` needs an owner and nobody takes leads
    or everyone is away. The caller commits."""
    if not current_app.config["LEADS_SMTP_HOST"]:
        return
    admins = db.session.scalars(
        db.select(User).where(User.role == "admin", User.active).order_by(User.id)
    ).all()
    mail_people(lead, UNASSIGNED, admins, {})


def mail_visitor(lead: Lead, submission: Submission, form: Form, event: str, link: str) -> bool:
    """Queue an e-mail to the person: their download link (VISITOR_DOWNLOAD) or
    the link that confirms a marketing consent (VISITOR_CONFIRM), in the
    form's language or else the one they were shown. Needs a mail server
    (LEADS_SMTP_HOST); returns whether it was queued. The caller commits.

    Addressed with what `submission` typed, not the stored lead: the e-mail
    must read the same whether the address was known or not."""
    if not current_app.config["LEADS_SMTP_HOST"]:
        return False
    typed = submission.answers or {}
    language = form.language or str(get_locale() or "en")
    payload = {
        "event": event,
        "language": language,
        "form_title": texts_for(form, language).title,
        "name": typed.get("name") or lead.name,
        "link": link,
        # A confirmation for the marketing box of a gate or contact form,
        # rather than for a newsletter sign-up: the e-mail says so.
        "marketing": event == VISITOR_CONFIRM and form.kind != "newsletter",
    }
    row = {"event": event, "channel": "email", "payload": payload, "lead_id": lead.id}
    insert_rows(Outbox, [{**row, "target": typed.get("email") or lead.email}])
    return True
