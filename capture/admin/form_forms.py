"""The admin's FlaskForms: a form's settings, an e-book upload or replacement, archiving.

Every admin POST goes through one of these, so each carries the CSRF token
and says per field what is wrong.
"""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Form as WTForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain import hidden_fields as hidden
from ..domain.vocabulary import (
    DEFAULT_INTENT,
    FORM_KINDS,
    FORM_LANGUAGES,
    FORM_TEXTS,
    INTENTS,
    OPTIONAL_QUESTIONS,
)
from ..extensions import db
from ..leads.form_texts import is_written, staff_title
from ..models import Ebook, Form
from ..web.addresses import check_web_address
from ..web.origins import normalise_origin
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
# Where a form may be embedded: FormSettingsForm.embedding -> Form.restrict_embedding.
EMBEDDING_LABELS = {
    "anywhere": _l("Any website: wherever the snippet is pasted, the form shows"),
    "listed": _l("Only the sites listed below"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


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


def _limit(what, most: int) -> Length:
    return Length(max=most, message=what)


class FormTextsForm(WTForm):
    """A form's own texts in one language (one of FormSettingsForm's `texts_*`).

    All may stay empty: a language without a title is not written, and its
    visitors read the other one. An empty text of a written language is the
    standard one in the visitor's language.
    """

    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[_limit(_l("Keep the title under 200 characters."), 200)],
    )
    intro = TextAreaField(
        _l("Introduction"),
        filters=[_strip],
        validators=[_limit(_l("Keep the introduction under 2,000 characters."), 2000)],
    )
    button_label = StringField(
        _l("Button that sends the form"),
        filters=[_strip],
        validators=[_limit(_l("Keep the button label under 60 characters."), 60)],
    )
    success_text = TextAreaField(
        _l("Thank-you text"),
        filters=[_strip],
        validators=[_limit(_l("Keep the thank-you text under 2,000 characters."), 2000)],
    )
    booking_label = StringField(
        _l("Booking link's label"),
        filters=[_strip],
        validators=[_limit(_l("Keep the booking link's label under 80 characters."), 80)],
    )
    consent_text = TextAreaField(
        _l("Consent to answer the request"),
        filters=[_strip],
        validators=[_limit(_l("Keep the consent text under 1,000 characters."), 1000)],
    )
    marketing_text = TextAreaField(
        _l("Marketing consent"),
        filters=[_strip],
        validators=[_limit(_l("Keep the marketing text under 1,000 characters."), 1000)],
    )

    def values(self) -> dict[str, str]:
        return {key: getattr(self, key).data or "" for key in FORM_TEXTS}


HIDDEN_FIELD_PROBLEMS = {
    hidden.NAME_MISSING: _l("Give this value a name, or clear its label."),
    hidden.NAME_FORM: _l(
        "Use 1 to 32 lowercase letters, digits and underscores, starting with a letter, e.g. plan."
    ),
    hidden.NAME_RESERVED: _l(
        "The form uses this name already (for its fields, campaign values or page settings). "
        "Choose another one."
    ),
    hidden.NAME_REPEATED: _l("This name is declared above already: each name once."),
    hidden.TOO_MANY: _l("A form takes at most %(most)s values from the host page."),
    hidden.LABEL_MISSING: _l("Give it a label: sales read it beside the value."),
    hidden.LABEL_TOO_LONG: _l("Keep the label under %(most)s characters."),
}
# Empty rows shown under the declared ones, to declare more without JavaScript.
EMPTY_HIDDEN_FIELD_ROWS = 2


class HiddenFieldRow(WTForm):
    """One value from the host page: the name it is passed by, the label sales read."""

    name = StringField(
        _l("Name"),
        filters=[_strip, _lower],
        render_kw={"maxlength": 32, "autocapitalize": "off", "spellcheck": "false"},
    )
    label = StringField(
        _l("Label for sales"), filters=[_strip], render_kw={"maxlength": hidden.MAX_LABEL}
    )


def _hidden_field_problem(code: str) -> str:
    most = hidden.MAX_FIELDS if code == hidden.TOO_MANY else hidden.MAX_LABEL
    return HIDDEN_FIELD_PROBLEMS[code] % {"most": most}


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
    texts_en = FormField(FormTextsForm, _l("English"))
    texts_nl = FormField(FormTextsForm, _l("Dutch"))
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
    booking_url = StringField(
        _l("Booking link for opportunities"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=500, message=_l("Keep the link under 500 characters.")),
            check_web_address,
        ],
    )
    embedding = RadioField(
        _l("Websites that may show this form"),
        choices=[SelectChoice(value, label) for value, label in EMBEDDING_LABELS.items()],
        default="anywhere",
        validate_choice=True,
    )
    allowed_origins = TextAreaField(_l("Listed sites"))
    ebook_id = SelectField(
        _l("E-book"),
        coerce=_optional_id,
        default=None,
        invalid_choice_message=_l("Choose one of the uploaded e-books."),
    )
    email_download = BooleanField(_l("Also e-mail the download link to the visitor"))
    offers_marketing = BooleanField(_l("Also offer the optional marketing consent"), default=True)
    MAX_HIDDEN_FIELDS = hidden.MAX_FIELDS
    # Rows past the limit are posted only by hand: read a few, to say so.
    hidden_fields = FieldList(
        FormField(HiddenFieldRow),
        _l("Values from the host page"),
        max_entries=hidden.MAX_FIELDS + 10,
    )

    def __init__(self, *args, form_id: int | None = None, fixed_slug: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_id = form_id
        # Set when the form has submissions: its address is out there, keep it.
        self.fixed_slug = fixed_slug
        self.origins: list[str] = []
        self.declared_fields: list[dict] = []
        if not self.is_submitted():
            self._add_empty_hidden_field_rows()
        ebooks = db.session.scalars(db.select(Ebook).order_by(Ebook.title, Ebook.id)).all()
        self.ebook_id.choices = [SelectChoice("", _("No e-book yet"))] + [
            SelectChoice(ebook.id, f"{ebook.title} ({ebook.filename})") for ebook in ebooks
        ]

    @classmethod
    def for_form(cls, form: Form, **kwargs) -> "FormSettingsForm":
        """The settings of a stored form, with its origins one per line."""
        # A post without the choice keeps the stored one (like the origins, from `obj`).
        embedding = "listed" if form.restrict_embedding else "anywhere"
        fields = cls(obj=form, form_id=form.id, embedding=embedding, **kwargs)
        if not fields.is_submitted():
            fields.language.data = form.language or ""
            fields.intent.data = "" if form.intent == DEFAULT_INTENT[form.kind] else form.intent
            fields.booking_url.data = form.booking_url or ""
            fields.allowed_origins.data = "\n".join(form.allowed_origins or [])
            for language in FORM_LANGUAGES:
                getattr(fields, f"texts_{language}").process(
                    None, data=(form.texts or {}).get(language) or {}
                )
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
        if self.embedding.data == "listed" and not self.origins:
            raise ValidationError(
                _(
                    "List at least one site, one per line, or choose “Any website”: "
                    "with no site listed, the form would show nowhere but on its own page."
                )
            )

    def _add_empty_hidden_field_rows(self) -> None:
        rows = self.hidden_fields
        wanted = min(len(rows.entries) + EMPTY_HIDDEN_FIELD_ROWS, hidden.MAX_FIELDS)
        while len(rows.entries) < wanted:
            rows.append_entry()

    def validate_hidden_fields(self, field) -> None:
        if not field.entries:
            # A post without the rows keeps the stored declarations.
            self.declared_fields = list(field.object_data or [])
            return
        rows = [(row.form.name.data or "", row.form.label.data or "") for row in field.entries]
        checked = hidden.check_declarations(rows)
        for problem in checked.problems:
            part = getattr(field.entries[problem.row].form, problem.part)
            part.errors.append(_hidden_field_problem(problem.code))
        if checked.problems:
            raise ValidationError(_("Check the values from the host page marked below."))
        self.declared_fields = list(checked.fields)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        subforms = [getattr(self, f"texts_{language}") for language in FORM_LANGUAGES]
        if not any(is_written(subform.values()) for subform in subforms):
            subforms[0].title.errors.append(
                _(
                    "Give the form a title, in English, Dutch or both; "
                    "visitors see it above the form."
                )
            )
            return False
        for subform in subforms:
            values = subform.values()
            if not is_written(values) and any(values.values()):
                subform.title.errors.append(
                    _(
                        "Give these texts a title too, or leave them all empty: "
                        "without a title, visitors read the other language."
                    )
                )
                valid = False
        return valid

    def written_texts(self) -> dict[str, dict[str, str]]:
        """The texts of the languages with a title (see capture/leads/form_texts.py)."""
        written = {}
        for language in FORM_LANGUAGES:
            values = getattr(self, f"texts_{language}").values()
            if is_written(values):
                written[language] = values
        return written

    def chosen_intent(self) -> str:
        return self.intent.data or DEFAULT_INTENT[self.kind.data]

    def apply_to(self, form: Form) -> None:
        """Copy the validated settings onto `form`; only a gate keeps an e-book."""
        form.slug = self.slug.data
        form.kind = self.kind.data
        form.language = self.language.data or None
        form.texts = self.written_texts()
        form.title = staff_title(form.texts, form.language)
        form.questions = [name for name in OPTIONAL_QUESTIONS if name in self.questions.data]
        form.intent = self.chosen_intent()
        form.booking_url = self.booking_url.data or None
        form.restrict_embedding = self.embedding.data == "listed"
        form.allowed_origins = self.origins
        form.ebook_id = self.ebook_id.data if form.kind == "gate" else None
        form.email_download = bool(self.email_download.data)
        form.offers_marketing = bool(self.offers_marketing.data)
        form.hidden_fields = self.declared_fields


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


class AllowSiteForm(FlaskForm):
    """The button beside a refused site on a form's page: add it to the list.
    After `validate()`, `allowed` is the site's origin as stored."""

    origin = HiddenField(validators=[DataRequired()])

    def validate_origin(self, field) -> None:
        try:
            self.allowed = normalise_origin(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class ArchiveForm(FlaskForm):
    """Archive or restore a form: a button saying which, and the page to return to."""

    action = HiddenField(validators=[Optional(), AnyOf(("archive", "restore"))])
    next = HiddenField()
