"""Double opt-in for newsletters: the e-mailed link `/c/<token>` confirms a sign-up.

The link opens a page with a button; only pressing it (a POST) confirms,
because mail scanners open links in e-mails by themselves.
"""

from flask import abort, render_template, url_for
from itsdangerous import BadSignature, SignatureExpired

from ..extensions import begin_write, db
from ..models import Lead, Submission, utcnow
from . import bp
from .recording import locked_lead
from .tokens import serializer_for

CONFIRM_SALT = "leadgate.confirm"
# How long the confirmation link works.
CONFIRM_MAX_AGE = 14 * 86400


def awaits_confirmation(form, lead: Lead | None) -> bool:
    """Whether `lead`'s sign-up on `form` still waits for the e-mailed
    confirmation: a newsletter with double opt-in, not yet confirmed."""
    return bool(
        lead
        and form.kind == "newsletter"
        and form.double_opt_in
        and not lead.newsletter_confirmed_at
    )


def confirm_url(submission: Submission) -> str:
    """The link that confirms `submission`'s newsletter sign-up."""
    token = serializer_for(CONFIRM_SALT).dumps({"s": submission.id})
    return url_for("intake.confirm", token=token, _external=True)


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
    """The page with the button that confirms."""
    submission = _submission_of(token)
    if submission is None:
        return _expired()
    lead = db.session.get(Lead, submission.lead_id)
    state = "done" if lead.newsletter_confirmed_at else "ask"
    return render_template("intake/confirm.html", state=state, form=submission.form, token=token)


@bp.post("/c/<token>")
def confirm_signup(token: str):
    """Confirm the sign-up; pressing the button again changes nothing."""
    submission = _submission_of(token)
    if submission is None:
        return _expired()
    begin_write()
    lead = locked_lead(Lead.id == submission.lead_id)
    if lead.newsletter_confirmed_at is None:
        # Confirming the sign-up is what makes it a marketing consent (double opt-in).
        lead.newsletter_confirmed_at = lead.marketing_consent_at = utcnow()
    db.session.commit()
    return render_template("intake/confirm.html", state="done", form=submission.form)
