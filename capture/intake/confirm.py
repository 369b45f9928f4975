"""Double opt-in: the e-mailed link `/c/<token>` confirms a marketing consent.

Marketing consent given on any form (a newsletter sign-up, or the ticked
marketing box of a gate or contact form) counts only once the person
confirms it from their mailbox: anyone can type anyone's address. The link
opens a page with a button; only pressing it (a POST) confirms, because
mail scanners open links in e-mails by themselves.
"""

from flask import abort, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired

from ..db.transactions import begin_write
from ..extensions import db
from ..leads.form_texts import texts_for
from ..leads.recording import locked_lead
from ..models import Lead, Submission, utcnow
from ..web.base_url import absolute_url
from . import bp
from .tokens import serializer_for

CONFIRM_SALT = "leadgate.confirm"
# How long the confirmation link works.
CONFIRM_MAX_AGE = 14 * 86400


MARKETING = _l("news and offers by e-mail")


def awaits_confirmation(submission: Submission | None) -> bool:
    """Whether `submission` gave a marketing consent, which the e-mailed link
    confirms. It does not look at the lead: whether the address is known, or
    confirmed already, must not change what the visitor is shown."""
    return bool(submission and submission.marketing_consent)


def _is_newsletter(form) -> bool:
    return form is not None and form.kind == "newsletter"


def _consented_to(form) -> str:
    """What the person is asked to confirm: the newsletter, or the marketing e-mails."""
    if _is_newsletter(form):
        return texts_for(form, str(get_locale() or "en")).title
    return str(MARKETING)


def confirm_url(submission: Submission) -> str:
    """The link that confirms the marketing consent `submission` gave."""
    token = serializer_for(CONFIRM_SALT).dumps({"s": submission.id})
    return absolute_url("intake.confirm", token=token)


def _submission_of(token: str) -> Submission | None:
    """The signed-up submission; 404 for a forged link, None when it expired."""
    try:
        payload = serializer_for(CONFIRM_SALT).loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired:
        return None
    except BadSignature:
        abort(404)
    submission = db.session.get(Submission, payload.get("s")) if isinstance(payload, dict) else None
    if submission is None:
        abort(404)
    return submission


def _expired():
    return render_template("intake/confirm.html", state="expired"), 410


@bp.get("/c/<token>")
def confirm(token: str):
    """The page with the button that confirms (opening the link is not enough:
    mail scanners open links by themselves)."""
    submission = _submission_of(token)
    if submission is None:
        return _expired()
    # Always the button, confirmed already or not: the page must not tell
    # whoever holds the link what is stored about the address. Pressing it
    # again changes nothing.
    what = _consented_to(submission.form)
    return render_template("intake/confirm.html", state="ask", what=what, token=token)


@bp.post("/c/<token>")
def confirm_signup(token: str):
    """Confirm the sign-up; pressing the button again changes nothing."""
    submission = _submission_of(token)
    if submission is None:
        return _expired()
    begin_write()
    lead = locked_lead(Lead.id == submission.lead_id)
    now = utcnow()
    # Confirming is what makes it a marketing consent (double opt-in).
    if lead.marketing_consent_at is None:
        lead.marketing_consent_at = now
    if _is_newsletter(submission.form):
        lead.newsletter_confirmed_at = lead.newsletter_confirmed_at or now
    db.session.commit()
    return render_template("intake/confirm.html", state="done")
