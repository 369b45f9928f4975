"""Delivering the outbox: the worker behind `flask --app wsgi worker`.

A worker claims due rows with a lease (PostgreSQL: FOR UPDATE SKIP LOCKED;
SQLite: its write lock), sends them outside any transaction, then records
the result: delivered, or tried again later with exponential backoff, or
failed after LEADS_OUTBOX_MAX_ATTEMPTS. Several workers can run at once.
A worker that dies mid-send leaves its rows leased; another takes them over
when the lease runs out, so a notification is delivered at least once and
carries its id (`X-Leadgate-Delivery`) for receivers that must see it once.
"""

import hashlib
import hmac
import json
import smtplib
import time
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import or_
from sqlalchemy.exc import SQLAlchemyError

from ..db.transactions import begin_write
from ..extensions import db
from ..leads.owners import hand_over_from_unavailable
from ..leads.privacy import purge
from ..leads.reminders import remind_and_escalate
from ..models import Outbox, utcnow
from ..web.filters import business_zone
from .outbox import ASSIGNED, ESCALATED, OVERDUE, UNASSIGNED, VISITOR_CONFIRM

PURGE_EVERY_SECONDS = 86400
# How often the worker looks for absences that have started (their hand-over).
ABSENCES_EVERY_SECONDS = 60
# A subject longer than this is cut: mail clients show far less anyway.
SUBJECT_LIMIT = 200
# Unicode categories that end a header line somewhere (CR, LF, VT, FF, NEL,
# U+2028/9 for the email package and str.splitlines), hide text or act as a
# space: all become one plain space in a header.
FOLDED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"})
# Zero-width (non-)joiners are format characters that names in Persian or
# Indic scripts and emoji need; they break no line.
JOINERS = frozenset({"\u200c", "\u200d"})

LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=1)


class DeliveryError(Exception):
    """The destination did not take the notification (a reason for the log)."""


@dataclass(frozen=True)
class Claimed:
    id: int
    event: str
    channel: str
    target: str
    payload: dict
    attempts: int


def one_line(value, limit: int | None = None) -> str:
    """`value` as one header-safe line: control, format and separator characters
    folded to spaces, runs of spaces collapsed, trimmed, cut to `limit` (with "…")."""
    folded = "".join(
        " " if unicodedata.category(ch) in FOLDED and ch not in JOINERS else ch
        for ch in str(value if value is not None else "")
    )
    text = " ".join(folded.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def header_text(value, limit: int | None = None) -> str:
    """`one_line(value, limit)` with every "=?" broken up ("= ?"). Python's email
    package decodes an RFC 2047 encoded word wherever one starts in a header
    value, so typed "=?utf-8?q?=0D=0ABcc:...?=" would turn back into a line
    break (and Python before 3.11.10 sends that on, a header of the typist's)."""
    # Cleaning only turns characters into spaces: it cannot make a new "=?".
    return one_line(str(value if value is not None else "").replace("=?", "= ?"), limit)


def claim_due(batch: int = 20) -> list[Claimed]:
    """Lease up to `batch` due notifications to this worker and count the attempt."""
    now = utcnow()
    begin_write()
    due = or_(
        (Outbox.status == "pending") & (Outbox.next_attempt_at <= now),
        (Outbox.status == "sending") & (Outbox.lease_until < now),
    )
    rows = db.session.scalars(
        db.select(Outbox)
        .where(due)
        .order_by(Outbox.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.status, row.lease_until, row.attempts = "sending", now + LEASE, row.attempts + 1
    claimed = [Claimed(r.id, r.event, r.channel, r.target, r.payload, r.attempts) for r in rows]
    db.session.commit()
    return claimed


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: the HMAC-SHA256 of the request body with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def call_webhook(item: Claimed) -> None:
    """POST the payload as JSON, signed; anything but a 2xx answer is a failure."""
    config = current_app.config
    secret = config["LEADS_WEBHOOK_SECRET"]
    if not secret:
        raise DeliveryError("LEADS_WEBHOOK_SECRET is not set: webhooks are always signed")
    body = json.dumps(item.payload, separators=(",", ":")).encode()
    request = urllib.request.Request(  # noqa: S310 (the admin's own https/http URL)
        item.target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Leadgate-Webhook/1",
            "X-Leadgate-Event": item.event,
            "X-Leadgate-Delivery": str(item.id),
            "X-Leadgate-Signature": signature(secret, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=config["LEADS_WEBHOOK_TIMEOUT"]) as answer:  # noqa: S310
            answer.read(1024)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"the webhook answered {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"the webhook could not be reached: {error}") from error


def new_message(subject: str, to: str, item_id: int) -> EmailMessage:
    """An e-mail whose headers are single clean lines: a line break in a name or
    a title would end the header (Python refuses it) or, sent on, add headers."""
    message = EmailMessage()
    message["Subject"] = header_text(subject, SUBJECT_LIMIT)
    message["From"] = one_line(current_app.config["LEADS_SMTP_SENDER"])
    message["To"] = one_line(to)
    message["X-Leadgate-Delivery"] = str(item_id)
    return message


def visitor_email(item: Claimed) -> EmailMessage:
    """The e-mail to the person who filled a form, in their language."""
    payload = item.payload
    name, title = one_line(payload["name"]), one_line(payload["form_title"])
    with force_locale(payload.get("language") or "en"):
        if item.event == VISITOR_CONFIRM and payload.get("marketing"):
            # The marketing box of a gate or contact form, not a newsletter.
            subject = gettext("Please confirm: news and offers by e-mail")
            body = gettext(
                "Hello %(name)s,\n\nYou asked to receive our news and offers by e-mail. "
                "Please confirm by opening this link and pressing the button:\n\n%(link)s\n\n"
                "Did not ask for this? Then ignore this e-mail; you will not hear from us.\n",
                name=name,
                link=payload["link"],
            )
        elif item.event == VISITOR_CONFIRM:
            subject = gettext("Please confirm your sign-up: %(title)s", title=title)
            body = gettext(
                "Hello %(name)s,\n\nPlease confirm that you want to receive %(title)s by "
                "opening this link and pressing the button:\n\n%(link)s\n\n"
                "Did not sign up? Then ignore this e-mail; you will not hear from us.\n",
                name=name,
                title=title,
                link=payload["link"],
            )
        else:
            subject = gettext("Your download: %(title)s", title=title)
            body = gettext(
                "Hello %(name)s,\n\nThank you for your interest. Here is your download "
                "link; it works for a limited time:\n\n%(link)s\n",
                name=name,
                link=payload["link"],
            )
    message = new_message(subject, item.target, item.id)
    message.set_content(body)
    return message


def _local_time(iso: str) -> str:
    """A stored UTC moment as the business's wall clock (LEADS_TIMEZONE)."""
    return datetime.fromisoformat(iso).astimezone(business_zone()).strftime("%Y-%m-%d %H:%M")


def person_email(item: Claimed) -> EmailMessage:
    """To a person who works the leads, in their language: a lead is theirs
    now (ASSIGNED), nobody could take one (UNASSIGNED, to the admins), its
    first response is overdue (OVERDUE, to its owner), or it has waited twice
    its response target (ESCALATED, to the admins).
    Every typed value is one line, as in `email_for`."""
    payload = item.payload
    lead = {key: one_line(value) for key, value in payload["lead"].items()}
    who = f"{lead['name']} ({lead['company']})" if lead.get("company") else lead["name"]
    with force_locale(payload.get("language") or "en"):
        if item.event == ASSIGNED:
            subject = gettext("A lead for you: %(who)s", who=who)
            by = one_line(payload.get("by") or "")
            intro = (
                gettext("%(by)s gave you this lead: %(why)s", by=by, why=one_line(payload["why"]))
                if by
                else gettext("This lead is yours now: %(why)s", why=one_line(payload["why"]))
            )
        elif item.event == OVERDUE:
            subject = gettext("Overdue: %(who)s", who=who)
            intro = gettext(
                "This lead was due for its first response by %(due)s. Contact it, then mark "
                "it contacted on the lead's page.",
                due=_local_time(payload["respond_by"]),
            )
        elif item.event == ESCALATED:
            subject = gettext("Still waiting at twice its target: %(who)s", who=who)
            intro = gettext(
                "This lead was due for its first response by %(due)s and has now waited twice "
                "its response target (owner: %(owner)s).",
                due=_local_time(payload["respond_by"]),
                owner=one_line(payload.get("owner") or "-"),
            )
        else:
            subject = gettext("Nobody can take this lead: %(who)s", who=who)
            intro = gettext(
                "This lead needs an owner, but nobody who takes leads is available (all away, "
                "or nobody switched on). Give it to someone on the lead's page."
            )
        lines = [
            intro,
            "",
            f"{who} · {lead['email']}",
            gettext("Phone: %(phone)s", phone=lead.get("phone") or "-"),
            gettext("List: %(list)s · why: %(reason)s", list=lead["list"], reason=lead["reason"]),
            "",
            gettext("Open the lead: %(url)s", url=lead["url"]),
        ]
    message = new_message(subject, item.target, item.id)
    message.set_content("\n".join(lines) + "\n")
    return message


def email_for(item: Claimed) -> EmailMessage:
    """The e-mail to sales: who, from where, why, and a link to the lead.

    Each value is one line in the body too, so a name cannot add lines that
    pass for the e-mail's own (a fake "Open the lead:" link)."""
    if item.event.startswith("visitor."):
        return visitor_email(item)
    if item.event in (ASSIGNED, UNASSIGNED, OVERDUE, ESCALATED):
        return person_email(item)
    lead = {key: one_line(value) for key, value in item.payload["lead"].items()}
    what = "New opportunity" if item.event == "lead.opportunity" else "New lead"
    who = f"{lead['name']} ({lead['company']})" if lead.get("company") else lead["name"]
    message = new_message(f"{what}: {who}", item.target, item.id)
    lines = [
        f"{what}: {who}",
        "",
        f"E-mail: {lead['email']}",
        f"Phone: {lead.get('phone') or '-'}",
        f"Sector and size: {lead.get('sector') or '-'}, {lead.get('headcount') or '-'} employees",
        f"Channel: {lead['channel']}" + (f" ({lead['source']})" if lead.get("source") else ""),
        f"Why: {lead['reason']}",
        f"Score: {lead['score']}",
    ]
    if lead.get("url"):
        lines += ["", f"Open the lead: {lead['url']}"]
    message.set_content("\n".join(lines) + "\n")
    return message


def send_email(item: Claimed) -> None:
    config = current_app.config
    host, port, tls = config["LEADS_SMTP_HOST"], config["LEADS_SMTP_PORT"], config["LEADS_SMTP_TLS"]
    try:
        smtp_class = smtplib.SMTP_SSL if tls == "ssl" else smtplib.SMTP
        with smtp_class(host, port, timeout=10) as smtp:
            if tls == "starttls":
                smtp.starttls()
            if config["LEADS_SMTP_USER"]:
                smtp.login(config["LEADS_SMTP_USER"], config["LEADS_SMTP_PASSWORD"])
            smtp.send_message(email_for(item))
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"the mail server refused or could not be reached: {error}") from error


def backoff(attempts: int) -> timedelta:
    """How long to wait before attempt `attempts + 1`: doubling from
    LEADS_OUTBOX_BACKOFF_SECONDS, at most an hour."""
    base = current_app.config["LEADS_OUTBOX_BACKOFF_SECONDS"]
    return min(timedelta(seconds=base * 2 ** (attempts - 1)), MAX_BACKOFF)


def record(item: Claimed, error: Exception | None) -> None:
    """Store how the attempt went. A DeliveryError is tried again later (until
    LEADS_OUTBOX_MAX_ATTEMPTS); any other error is failed at once, with its
    text: a notification that cannot even be built will not build on a retry."""
    begin_write()
    row = db.session.get(Outbox, item.id, with_for_update=True)
    if row is None:  # erased with its lead while it was being sent
        db.session.commit()
        return
    if error is None:
        row.status, row.delivered_at, row.last_error = "delivered", utcnow(), None
    elif not isinstance(error, DeliveryError):
        row.status, row.last_error = "failed", f"{type(error).__name__}: {error}"[:500]
    elif item.attempts >= current_app.config["LEADS_OUTBOX_MAX_ATTEMPTS"]:
        row.status, row.last_error = "failed", str(error)[:500]
    else:
        row.status, row.last_error = "pending", str(error)[:500]
        row.next_attempt_at = utcnow() + backoff(item.attempts)
    row.lease_until = None
    db.session.commit()


def attempt(item: Claimed) -> Exception | None:
    """Send one notification; return why it was not delivered (None: it was)."""
    try:
        (send_email if item.channel == "email" else call_webhook)(item)
    except DeliveryError as error:
        current_app.logger.warning("outbox %s (%s) not delivered: %s", item.id, item.channel, error)
        return error
    except Exception as error:  # noqa: BLE001 - one bad row must not stop the others
        current_app.logger.exception("outbox %s (%s) could not be sent", item.id, item.channel)
        return error
    return None


def deliver_due(batch: int = 20) -> int:
    """Claim and deliver one batch; return how many were tried.

    No row stops the batch: one that cannot even be recorded keeps its lease
    and is taken over when that runs out."""
    claimed = claim_due(batch)
    for item in claimed:
        error = attempt(item)
        try:
            record(item, error)
        except Exception:  # noqa: BLE001
            _forget_round()
            current_app.logger.exception("outbox %s: the attempt could not be recorded", item.id)
    return len(claimed)


def _purge_past_retention() -> None:
    """The daily retention purge (capture/leads/privacy.py); a failure waits for the next day."""
    try:
        erased = purge()
    except Exception:  # noqa: BLE001 - the deliveries go on regardless
        _forget_round()
        current_app.logger.warning("retention purge failed", exc_info=True)
    else:
        current_app.logger.info("retention purge: %s leads erased", erased)


def _hand_over_absences() -> None:
    """Hand over the waiting opportunities of people whose absence started
    (capture/leads/owners.py); a failure waits for the next round."""
    try:
        moved = hand_over_from_unavailable()
    except Exception:  # noqa: BLE001 - the deliveries go on regardless
        _forget_round()
        current_app.logger.warning("absence hand-over failed", exc_info=True)
    else:
        if moved:
            current_app.logger.info("absences started: %s opportunities handed over", moved)


def _remind_overdue() -> None:
    """Remind the owners of overdue leads and escalate those waiting twice
    their target (capture/leads/reminders.py); a failure waits for the next round."""
    try:
        reminded, escalated = remind_and_escalate()
    except Exception:  # noqa: BLE001 - the deliveries go on regardless
        _forget_round()
        current_app.logger.warning("reminders and escalation failed", exc_info=True)
    else:
        if reminded or escalated:
            current_app.logger.info("overdue: %s reminded, %s escalated", reminded, escalated)


def run_worker(
    stop=lambda: False,
    purge_every: float = PURGE_EVERY_SECONDS,
    absences_every: float = ABSENCES_EVERY_SECONDS,
) -> None:
    """Deliver until `stop()` says so, polling every LEADS_WORKER_POLL_SECONDS when idle;
    erase what is past retention when it starts and then once a day; hand
    over the leads of people whose absence started, and remind and escalate
    overdue ones, every minute.

    A round that fails (the database away for a moment) is logged, and the
    next one starts after the poll interval: the worker itself never stops."""
    next_purge = next_absences = time.monotonic()
    while not stop():
        if time.monotonic() >= next_purge:
            next_purge = time.monotonic() + purge_every
            _purge_past_retention()
        if time.monotonic() >= next_absences:
            next_absences = time.monotonic() + absences_every
            _hand_over_absences()
            _remind_overdue()
        try:
            busy = deliver_due()
        except Exception:  # noqa: BLE001
            _forget_round()
            current_app.logger.exception("outbox: a delivery round failed; trying again")
            busy = False
        if not busy:
            time.sleep(current_app.config["LEADS_WORKER_POLL_SECONDS"])


def _forget_round() -> None:
    """End the failed round's transaction; a dead connection is dropped instead."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session().invalidate()
