"""The admin's FlaskForms: a form's settings, an e-book upload or replacement, archiving.

Every admin POST goes through one of these, so each carries the CSRF token
and says per field what is wrong.
"""

import ipaddress
import re
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.vocabulary import DEFAULT_INTENT, FORM_KINDS, INTENTS, OPTIONAL_QUESTIONS
from ..extensions import db
from ..models import Ebook, Form
from ..web.addresses import check_web_address
from .uploads import FileKind, UnfitUpload, check_size, file_kind

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"
SLUG_MESSAGE = _l(
    "Use 3 to 80 lowercase letters, digits and hyphens, starting and ending with a "
    "letter or digit, e.g. spring-ebook."
)
KIND_LABELS = {
    "gate": _l("E-book gate (download after the form)"),
    "contact": _l("Contact or demo request"),
    "newsletter": _l("Newsletter sign-up"),
}
LANGUAGE_LABELS = {"": _l("The visitor's browser language"), "nl": _l("Dutch"), "en": _l("English")}
QUESTION_LABELS = {
    "phone": _l("Phone number"),
    "role": _l("Role (owner, manager, ...)"),
    "budget": _l("Budget for this"),
    "timeline": _l("When they want to start"),
    "need": _l("What they need (free text)"),
}
INTENT_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
DEFAULT_PORTS = {"http": 80, "https": 443}
HOST_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST_NAME = re.compile(rf"^{HOST_LABEL}(?:\.{HOST_LABEL})*$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _origin_host(host: str) -> str:
    """The host as a browser writes it in an origin (IDN as punycode); ValueError if bad."""
    if ":" in host:
        if "%" in host:  # a zone id is local to one machine, never in an origin
            raise ValueError(_("the address has a zone id (%...), which origins never carry"))
        return f"[{ipaddress.IPv6Address(host).compressed}]"
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise ValueError(_("the host name is not valid")) from error
    if len(ascii_host) > 253 or not HOST_NAME.match(ascii_host):
        raise ValueError(_("the host name is not valid"))
    return ascii_host


def normalise_origin(line: str) -> str:
    """Return `line` as an origin, `scheme://host[:port]`; ValueError says what is wrong.

    Lowercase, no default port, no trailing slash: the form that browsers
    send and that the framing policy compares with.
    """
    if any(char.isspace() for char in line) or any(char in line for char in ";,'\""):
        raise ValueError(_("it contains spaces or punctuation an origin cannot have"))
    parts = urlsplit(line)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not line.lower().startswith(f"{scheme}://"):
        raise ValueError(_("it must start with https:// or http://"))
    if parts.username is not None or parts.password is not None:
        raise ValueError(_("it must not contain a user name or password"))
    if parts.path not in ("", "/") or parts.query or parts.fragment or line.endswith(("?", "#")):
        raise ValueError(_("an origin has no path, query or #fragment: only scheme, host and port"))
    if not parts.hostname or "*" in parts.netloc:
        raise ValueError(_("it needs one exact host name, without wildcards"))
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(_("the port is not a number from 1 to 65535")) from error
    if port == 0:
        raise ValueError(_("the port is not a number from 1 to 65535"))
    host = _origin_host(parts.hostname)
    suffix = f":{port}" if port is not None and port != DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{host}{suffix}"


def parse_origins(text: str) -> list[str]:
    """The origins in `text`, one per line, normalised and without repeats.

    Raises ValueError naming the first bad line.
    """
    origins = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            origin = normalise_origin(line)
        except ValueError as error:
            raise ValueError(
                _(
                    "Line %(number)s (%(line)s) is not an origin: %(problem)s.",
                    number=number,
                    line=line[:100],
                    problem=error,
                )
            ) from None
        if origin not in origins:
            origins.append(origin)
    return origins


def _optional_id(value):
    """'' or None means no choice; anything else must be a whole number."""
    if value in ("", None):
        return None
    return int(value)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FormSettingsForm(FlaskForm):
    """Everything the site owner sets on a form or gate.

    After `validate()`, `origins` holds the normalised allowed origins. The
    intent left empty means "the kind's default" (see `chosen_intent`).
    """

    slug = StringField(
        _l("Address (slug)"),
        filters=[_strip, _lower],
        validators=[
            DataRequired(message=_l("Give the form an address, e.g. spring-ebook.")),
            Length(min=3, max=80, message=SLUG_MESSAGE),
            Regexp(SLUG_PATTERN, message=SLUG_MESSAGE),
        ],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in FORM_KINDS],
        invalid_choice_message=_l("Choose a kind of form."),
    )
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(value, label) for value, label in LANGUAGE_LABELS.items()],
        default="",
        invalid_choice_message=_l("Choose a language."),
    )
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Give the form a title; visitors see it above the form.")),
            Length(max=200, message=_l("Keep the title under 200 characters.")),
        ],
    )
    intro = TextAreaField(
        _l("Introduction"),
        filters=[_strip],
        validators=[Length(max=2000, message=_l("Keep the introduction under 2,000 characters."))],
    )
    questions = MultiCheckboxField(
        _l("Optional questions"),
        choices=[SelectChoice(name, QUESTION_LABELS[name]) for name in OPTIONAL_QUESTIONS],
        invalid_choice_message=_l("Choose from the listed questions."),
    )
    intent = SelectField(
        _l("Intent"),
        choices=[SelectChoice("", _l("From the kind"))]
        + [SelectChoice(intent, INTENT_LABELS[intent]) for intent in INTENTS],
        default="",
        invalid_choice_message=_l("Choose an intent, or leave it to the kind."),
    )
    success_text = TextAreaField(
        _l("Thank-you text"),
        filters=[_strip],
        validators=[
            Length(max=2000, message=_l("Keep the thank-you text under 2,000 characters."))
        ],
    )
    booking_url = StringField(
        _l("Booking link for opportunities"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=500, message=_l("Keep the link under 500 characters.")),
            check_web_address,
        ],
    )
    allowed_origins = TextAreaField(_l("Sites that may embed this form"))
    ebook_id = SelectField(
        _l("E-book"),
        coerce=_optional_id,
        default=None,
        invalid_choice_message=_l("Choose one of the uploaded e-books."),
    )
    email_download = BooleanField(_l("Also e-mail the download link to the visitor"))
    consent_text = TextAreaField(
        _l("Consent to answer the request"),
        filters=[_strip],
        validators=[Length(max=1000, message=_l("Keep the consent text under 1,000 characters."))],
    )
    offers_marketing = BooleanField(_l("Also offer the optional marketing consent"), default=True)
    marketing_text = TextAreaField(
        _l("Marketing consent"),
        filters=[_strip],
        validators=[
            Length(max=1000, message=_l("Keep the marketing text under 1,000 characters."))
        ],
    )

    def __init__(self, *args, form_id: int | None = None, fixed_slug: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_id = form_id
        # Set when the form has submissions: its address is out there, keep it.
        self.fixed_slug = fixed_slug
        self.origins: list[str] = []
        ebooks = db.session.scalars(db.select(Ebook).order_by(Ebook.title, Ebook.id)).all()
        self.ebook_id.choices = [SelectChoice("", _("No e-book yet"))] + [
            SelectChoice(ebook.id, f"{ebook.title} ({ebook.filename})") for ebook in ebooks
        ]

    @classmethod
    def for_form(cls, form: Form, **kwargs) -> "FormSettingsForm":
        """The settings of a stored form, with its origins one per line."""
        fields = cls(obj=form, form_id=form.id, **kwargs)
        if not fields.is_submitted():
            fields.language.data = form.language or ""
            fields.intent.data = "" if form.intent == DEFAULT_INTENT[form.kind] else form.intent
            fields.booking_url.data = form.booking_url or ""
            fields.allowed_origins.data = "\n".join(form.allowed_origins or [])
            fields.consent_text.data = form.consent_text or ""
            fields.marketing_text.data = form.marketing_text or ""
        return fields

    def validate_slug(self, field) -> None:
        if self.fixed_slug and field.data != self.fixed_slug:
            raise ValidationError(
                _(
                    "A form keeps its address (%(slug)s): widgets, links and QR codes "
                    "out there use it. For a new address, create a new form.",
                    slug=self.fixed_slug,
                )
            )
        taken = db.session.scalar(
            db.select(Form.id).where(Form.slug == field.data, Form.id != (self.form_id or 0))
        )
        if taken:
            raise ValidationError(
                _(
                    "The address %(slug)s is taken by another form. Choose another one.",
                    slug=field.data,
                )
            )

    def validate_allowed_origins(self, field) -> None:
        # A post without the field keeps the stored list (the field's data from `obj`).
        text = field.data if isinstance(field.data, str) else "\n".join(field.data or [])
        try:
            self.origins = parse_origins(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def chosen_intent(self) -> str:
        return self.intent.data or DEFAULT_INTENT[self.kind.data]

    def apply_to(self, form: Form) -> None:
        """Copy the validated settings onto `form`; only a gate keeps an e-book."""
        form.slug = self.slug.data
        form.kind = self.kind.data
        form.language = self.language.data or None
        form.title = self.title.data
        form.intro = self.intro.data or ""
        form.questions = [name for name in OPTIONAL_QUESTIONS if name in self.questions.data]
        form.intent = self.chosen_intent()
        form.success_text = self.success_text.data or ""
        form.booking_url = self.booking_url.data or None
        form.allowed_origins = self.origins
        form.ebook_id = self.ebook_id.data if form.kind == "gate" else None
        form.email_download = bool(self.email_download.data)
        form.consent_text = self.consent_text.data or None
        form.offers_marketing = bool(self.offers_marketing.data)
        form.marketing_text = self.marketing_text.data or None


class EbookFileForm(FlaskForm):
    """An e-book file: after `validate()`, `content` and `kind` describe it."""

    file = FileField(
        _l("File (PDF, EPUB or ZIP)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.content = b""
        self.kind: FileKind | None = None

    def validate_file(self, field) -> None:
        # The whole file: the view bounds the request just above the e-book limit.
        content = field.data.read()
        try:
            check_size(len(content), current_app.config["LEADS_EBOOK_MAX_BYTES"])
            self.kind = file_kind(content)
        except UnfitUpload as problem:
            raise ValidationError(str(problem)) from None
        self.content = content


class UploadEbookForm(EbookFileForm):
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Give the e-book a title, e.g. the title on its cover.")),
            Length(max=200, message=_l("Keep the title under 200 characters.")),
        ],
    )


class ReplaceEbookForm(EbookFileForm):
    """New content for an e-book: the forms that offer it keep doing so."""


class ArchiveForm(FlaskForm):
    """Archive or restore a form: a button saying which, and the page to return to."""

    action = HiddenField(validators=[Optional(), AnyOf(("archive", "restore"))])
    next = HiddenField()
