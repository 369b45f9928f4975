"""The visitor's form, in two steps: contact details, then qualifying questions.

These forms carry no session CSRF token (public pages set no cookies); the
signed form token in `intake/tokens.py` protects them instead.
"""

from functools import lru_cache

from babel import support
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, EmailField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..domain.identity import EMAIL_KEY_LENGTH
from ..domain.rules import QualificationRules
from ..domain.vocabulary import BUDGETS, HEADCOUNT_BANDS, ROLES, SECTORS, TIMELINES
from .consent import DEFAULT_CONSENT, DEFAULT_MARKETING, offers_marketing
from .form_texts import texts_for
from .qualification import intake_rules

SECTOR_LABELS = {
    "agriculture": _l("Agriculture"),
    "construction": _l("Construction"),
    "manufacturing": _l("Manufacturing"),
    "energy": _l("Energy"),
    "wholesale": _l("Wholesale"),
    "retail": _l("Retail"),
    "logistics": _l("Logistics"),
    "hospitality": _l("Hospitality"),
    "ict": _l("ICT"),
    "finance": _l("Finance"),
    "business-services": _l("Business services"),
    "healthcare": _l("Healthcare"),
    "education": _l("Education"),
    "government": _l("Government"),
    "nonprofit": _l("Non-profit"),
    "other": _l("Other"),
}
ROLE_LABELS = {
    "owner": _l("Owner or director"),
    "manager": _l("Manager"),
    "employee": _l("Employee"),
    "student": _l("Student"),
    "job-seeker": _l("Looking for a job"),
    "other": _l("Other"),
}
BUDGET_LABELS = {"yes": _l("Yes"), "no": _l("Not yet"), "unknown": _l("Don't know")}
TIMELINE_LABELS = {
    "now": _l("This month"),
    "3-months": _l("Within 3 months"),
    "6-months": _l("Within 6 months"),
    "later": _l("Later"),
    "unknown": _l("Don't know"),
}


def _choices(values, labels, placeholder):
    # A value without a label (a sector the admin added) reads as words: "bakeries-retail"
    # becomes "Bakeries retail". The labels stay lazy: translated when shown.
    return [SelectChoice("", placeholder)] + [
        SelectChoice(
            value, labels[value] if value in labels else value.replace("-", " ").capitalize()
        )
        for value in values
    ]


@lru_cache(maxsize=8)
def _wtforms_messages(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _trimmed(value):
    return value.strip() if isinstance(value, str) else value


class PublicForm(FlaskForm):
    class Meta:
        csrf = False

        def wrap_formdata(self, form, formdata):
            # NUL cannot be stored (PostgreSQL) and is never typed: it is
            # dropped before the fields see it, so a field of only NUL (and
            # spaces) is no answer, as WTForms' Optional() judges by the value
            # as sent.
            formdata = super().wrap_formdata(form, formdata)
            if formdata is None or not any(
                "\x00" in value for _, value in formdata.items(multi=True) if isinstance(value, str)
            ):
                return formdata
            return MultiDict(
                (name, value.replace("\x00", "") if isinstance(value, str) else value)
                for name, value in formdata.items(multi=True)
            )

        def bind_field(self, form, unbound_field, options):
            # Every field is trimmed before it is checked: whitespace alone is
            # no answer (it would skip the checks of an optional field).
            filters = [*unbound_field.kwargs.get("filters", ()), _trimmed]
            return unbound_field.bind(form=form, filters=filters, **options)

        def get_translations(self, form):
            # WTForms' own messages, read from disk once per language rather
            # than once per request as Flask-WTF does.
            return _wtforms_messages(str(get_locale() or "en"))


def _check_email(form, field):
    try:
        result = validate_email(
            field.data or "",
            check_deliverability=current_app.config["LEADS_CHECK_DELIVERABILITY"],
        )
    except EmailNotValidError as error:
        raise ValidationError(_l("Please enter a valid e-mail address.")) from error
    # The person's key is the case-folded address (at most EMAIL_KEY_LENGTH
    # characters), and case folding can lengthen it ("ΐ" becomes three).
    if len(result.normalized.strip().casefold()) > EMAIL_KEY_LENGTH:
        raise ValidationError(_l("Please enter a valid e-mail address."))
    field.data = result.normalized


class ContactStepForm(PublicForm):
    """Step one: who is asking. Stored as soon as it is valid."""

    email = EmailField(
        _l("Work e-mail"),
        validators=[DataRequired(_l("Please enter your e-mail address.")), Length(max=254)],
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Please enter your name.")), Length(max=200)]
    )
    company = StringField(
        _l("Company"),
        validators=[DataRequired(_l("Please enter your company.")), Length(max=200)],
    )
    phone = TelField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()\-. /]{6,40}$", message=_l("Please enter a phone number.")),
        ],
    )
    consent = BooleanField(
        DEFAULT_CONSENT,
        validators=[DataRequired(_l("Please agree so we may contact you."))],
    )
    # Optional, never ticked in advance, not needed to send the form.
    marketing = BooleanField(DEFAULT_MARKETING)

    def validate_email(self, field):
        _check_email(self, field)


def sector_choices(rules: QualificationRules) -> list[SelectChoice]:
    """The sectors the admin set up in `rules` (custom ones are shown as typed)."""
    return list(_sector_choices(tuple(rules.sectors)))


@lru_cache(maxsize=32)
def _sector_choices(sectors: tuple[str, ...]) -> tuple[SelectChoice, ...]:
    return tuple(_choices(sectors, SECTOR_LABELS, _l("Choose your sector")))


class QualifyStepForm(PublicForm):
    """Step two: the qualifying questions (sector and headcount always)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The public form's rules, as this worker keeps them.
        self.sector.choices = sector_choices(intake_rules())

    sector = SelectField(
        _l("Sector"),
        choices=_choices(SECTORS, SECTOR_LABELS, _l("Choose your sector")),
        validators=[DataRequired(_l("Please choose your sector."))],
    )
    headcount = SelectField(
        _l("Number of employees"),
        choices=_choices(HEADCOUNT_BANDS, {}, _l("Choose a range")),
        validators=[DataRequired(_l("Please choose the number of employees."))],
    )
    role = SelectField(
        _l("Your role"), choices=_choices(ROLES, ROLE_LABELS, "—"), validators=[Optional()]
    )
    budget = SelectField(
        _l("Is there a budget for this?"),
        choices=_choices(BUDGETS, BUDGET_LABELS, "—"),
        validators=[Optional()],
    )
    timeline = SelectField(
        _l("When do you want to start?"),
        choices=_choices(TIMELINES, TIMELINE_LABELS, "—"),
        validators=[Optional()],
    )
    need = TextAreaField(
        _l("What do you need help with?"), validators=[Optional(), Length(max=2000)]
    )


def questions_for(form_cls, asked: list[str], formdata=None):
    """Build `form_cls` without the optional questions the form does not ask."""
    form = form_cls(formdata=formdata)
    for name in ("phone", "role", "budget", "timeline", "need"):
        if name in form and name not in asked:
            delattr(form, name)
    return form


def contact_fields(form, formdata=None) -> ContactStepForm:
    """The contact step of `form`: its questions and its consent wording."""
    fields = questions_for(ContactStepForm, form.questions, formdata)
    texts = texts_for(form, str(get_locale() or "en"))
    if texts.consent_text:
        fields.consent.label.text = texts.consent_text
    if not offers_marketing(form):
        delattr(fields, "marketing")
    elif texts.marketing_text:
        fields.marketing.label.text = texts.marketing_text
    return fields
