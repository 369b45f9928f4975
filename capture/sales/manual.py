"""`/sales/leads/new`: a lead entered by hand (a phone call, a business card).

The same questions, validation and routing as the public form; the lead's
channel is `manual` or `event` and the submission records who entered it.
"""

import secrets

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Regexp

from ..leads.qualification import current_rules
from ..leads.questions import ContactStepForm, QualifyStepForm, sector_choices
from ..leads.recording import NonceTaken, record_manual_lead
from ..web.filters import list_word
from . import bp

# What the person asked for, and the intent it stands for (as a form kind's would).
INTERESTS = {
    "demo": ("high", _l("A demo, a quote or a call back")),
    "information": ("medium", _l("Information, a brochure or an e-book")),
    "newsletter": ("low", _l("Only the newsletter")),
}
CHANNELS = {
    "manual": _l("By hand: a phone call, an e-mail, a visit"),
    "event": _l("At an event or trade fair"),
}


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


class ManualLeadForm(FlaskForm):
    """The public form's fields (both steps, no consent box), plus how and what."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = sector_choices(current_rules())  # always fresh for sales

    email = ContactStepForm.email
    name = ContactStepForm.name
    company = ContactStepForm.company
    phone = ContactStepForm.phone
    sector = QualifyStepForm.sector
    headcount = QualifyStepForm.headcount
    role = QualifyStepForm.role
    budget = QualifyStepForm.budget
    timeline = QualifyStepForm.timeline
    need = QualifyStepForm.need
    channel = RadioField(
        _l("How did you meet?"),
        choices=[SelectChoice(value, label) for value, label in CHANNELS.items()],
        default="manual",
        invalid_choice_message=_l("Please choose how you met."),
    )
    interest = RadioField(
        _l("What did they ask for?"),
        choices=[SelectChoice(value, label) for value, (_intent, label) in INTERESTS.items()],
        invalid_choice_message=_l("Please choose what they asked for."),
    )
    # Identifies this rendering of the page: posting it twice stores one submission.
    nonce = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])

    validate_email = ContactStepForm.validate_email

    def answers(self) -> dict:
        """The lead's contact details and answers, as the web path stores them."""
        skip = {"channel", "interest", "nonce", "csrf_token"}
        return {name: value for name, value in self.data.items() if name not in skip}


def _page(form: ManualLeadForm, status: int = 200, notice: str | None = None):
    return render_template("sales/new_lead.html", form=form, notice=notice), status


@bp.route("/leads/new", methods=["GET", "POST"])
def new_lead():
    """Show the form; store a valid post and go to the lead, else 422 with the input."""
    form = ManualLeadForm()
    if not form.is_submitted():
        form.nonce.data = new_nonce()
        return _page(form)
    if not form.validate():
        if form.nonce.errors:
            form.nonce.data = new_nonce()
        return _page(form, 422)
    intent = INTERESTS[form.interest.data][0]
    try:
        submission = record_manual_lead(
            form.answers(), intent, form.channel.data, current_user.id, form.nonce.data
        )
    except NonceTaken:
        form.nonce.data = new_nonce()
        notice = _("This page was already sent for another lead. Check the details and send again.")
        return _page(form, 422, notice)
    lead = submission.lead
    known = len(lead.submissions) > 1
    values = {"name": lead.name, "list": list_word(lead.list), "reason": lead.reason}
    flash(
        _("Added to the existing lead: %(name)s, on %(list)s (%(reason)s).", **values)
        if known
        else _("Lead added: %(name)s, on %(list)s (%(reason)s).", **values),
        "info",
    )
    return redirect(url_for("sales.lead", lead_id=lead.id))
