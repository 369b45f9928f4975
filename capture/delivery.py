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
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import or_
from sqlalchemy.exc import SQLAlchemyError

from .extensions import begin_write, db
from .models import Outbox, utcnow
from .outbox import VISITOR_CONFIRM
from .privacy import purge

PURGE_EVERY_SECONDS = 86400

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


def visitor_email(item: Claimed) -> EmailMessage:
    """The e-mail to the person who filled a form, in their language."""
    payload = item.payload
    with force_locale(payload.get("language") or "en"):
        if item.event == VISITOR_CONFIRM:
            subject = gettext("Please confirm your sign-up: %(title)s", title=payload["form_title"])
            body = gettext(
                "Hello %(name)s,\n\nPlease confirm that you want to receive %(title)s by "
                "opening this link and pressing the button:\n\n%(link)s\n\n"
                "Did not sign up? Then ignore this e-mail; you will not hear from us.\n",
                name=payload["name"],
                title=payload["form_title"],
                link=payload["link"],
            )
        else:
            subject = gettext("Your download: %(title)s", title=payload["form_title"])
            body = gettext(
                "Hello %(name)s,\n\nThank you for your interest. Here is your download "
                "link; it works for a limited time:\n\n%(link)s\n",
                name=payload["name"],
                link=payload["link"],
            )
    message = EmailMessage()
    message["Subject"], message["To"] = subject, item.target
    message["From"] = current_app.config["LEADS_SMTP_SENDER"]
    message["X-Leadgate-Delivery"] = str(item.id)
    message.set_content(body)
    return message


def email_for(item: Claimed) -> EmailMessage:
    """The e-mail to sales: who, from where, why, and a link to the lead."""
    if item.event.startswith("visitor."):
        return visitor_email(item)
    lead = item.payload["lead"]
    what = "New opportunity" if item.event == "lead.opportunity" else "New lead"
    who = f"{lead['name']} ({lead['company']})" if lead.get("company") else lead["name"]
    message = EmailMessage()
    message["Subject"] = f"{what}: {who}"
    message["From"] = current_app.config["LEADS_SMTP_SENDER"]
    message["To"] = item.target
    message["X-Leadgate-Delivery"] = str(item.id)
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


def record(item: Claimed, error: DeliveryError | None) -> None:
    """Store how the attempt went."""
    begin_write()
    row = db.session.get(Outbox, item.id, with_for_update=True)
    if error is None:
        row.status, row.delivered_at, row.last_error = "delivered", utcnow(), None
    elif item.attempts >= current_app.config["LEADS_OUTBOX_MAX_ATTEMPTS"]:
        row.status, row.last_error = "failed", str(error)[:500]
    else:
        row.status, row.last_error = "pending", str(error)[:500]
        row.next_attempt_at = utcnow() + backoff(item.attempts)
    row.lease_until = None
    db.session.commit()


def deliver_due(batch: int = 20) -> int:
    """Claim and deliver one batch; return how many were tried."""
    claimed = claim_due(batch)
    for item in claimed:
        try:
            (send_email if item.channel == "email" else call_webhook)(item)
        except DeliveryError as error:
            current_app.logger.warning(
                "outbox %s (%s) not delivered: %s", item.id, item.channel, error
            )
            record(item, error)
        else:
            record(item, None)
    return len(claimed)


def _purge_past_retention() -> None:
    """The daily retention purge (capture/privacy.py); a failure waits for the next day."""
    try:
        erased = purge()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("retention purge failed", exc_info=True)
    else:
        current_app.logger.info("retention purge: %s leads erased", erased)


def run_worker(stop=lambda: False, purge_every: float = PURGE_EVERY_SECONDS) -> None:
    """Deliver until `stop()` says so, polling every LEADS_WORKER_POLL_SECONDS when idle;
    erase what is past retention when it starts and then once a day."""
    next_purge = time.monotonic()
    while not stop():
        if time.monotonic() >= next_purge:
            _purge_past_retention()
            next_purge = time.monotonic() + purge_every
        if not deliver_due():
            time.sleep(current_app.config["LEADS_WORKER_POLL_SECONDS"])
