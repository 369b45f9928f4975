"""The assignment page's form: the rules in order (size class, sector,
channel, form → a person) and the nurture switch.

Each rule is a row of select fields; what a select may hold (the people who
take leads, the sectors, the forms) is read by the view and handed in as
`Choices`, so a rule naming someone deactivated or an unknown sector is
refused with a message beside that field, whatever was posted.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..domain.assignment import AssignmentRule, AssignmentSettings
from ..domain.vocabulary import CHANNELS, SIZE_CLASSES
from ..web.labels import CHANNEL_WORDS, SIZE_LABELS

MAX_RULES = 50
# In the rule's label, stored on the lead's log in English like its other reasons.
SIZE_LOG_WORDS = {"small": "small firms", "medium": "medium-sized firms", "large": "large firms"}
FORM_TITLE_IN_LABEL = 60
CRITERIA = ("size_class", "sector", "channel", "form_id")
# The domain's RULE_WITHOUT_CRITERIA, in the reader's language.
NO_CRITERIA = _l("A rule needs at least one of size, sector, channel or form.")


@dataclass(frozen=True)
class Account:
    """A user as this page names them: whether they take leads, and if not, why."""

    name: str
    active: bool
    takes_leads: bool


@dataclass(frozen=True)
class Choices:
    """What a rule may name now: everyone by id (those who take leads are
    offered), the sectors of the qualification rules, the forms' titles by id
    (the archived ones still match the leads they brought)."""

    accounts: dict[int, Account] = field(default_factory=dict)
    sectors: tuple[str, ...] = ()
    forms: dict[int, str] = field(default_factory=dict)
    archived: frozenset[int] = frozenset()

    def form_title(self, form_id: int) -> str:
        """A form's title as the select shows it: archived ones marked."""
        title = self.forms[form_id]
        return _("%(title)s (archived)", title=title) if form_id in self.archived else title

    def taking(self) -> list[tuple[int, str]]:
        """The people a rule may name, by name."""
        shown = [(i, a.name) for i, a in self.accounts.items() if a.takes_leads]
        return sorted(shown, key=lambda pair: (pair[1].casefold(), pair[0]))

    def person_problem(self, person_id: int | None) -> str | None:
        """Why a rule naming `person_id` is passed over, or None when it is not."""
        account = self.accounts.get(person_id) if person_id is not None else None
        if account is None:
            return _("The person of this rule is unknown: this rule is passed over.")
        if not account.active:
            return _("%(name)s is deactivated: this rule is passed over.", name=account.name)
        if not account.takes_leads:
            return _("%(name)s does not take leads: this rule is passed over.", name=account.name)
        return None


def _as_id(value) -> int | None:
    """A posted id: a whole number, else None (an unknown choice)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _kept(choices: list[SelectChoice], value, marked) -> list[SelectChoice]:
    """`choices`, with `value` added, labelled by `marked(value)`, when it is not
    offered: a stored or posted choice stays on screen beside its message."""
    if value in ("", None) or any(choice.value == str(value) for choice in choices):
        return choices
    return [*choices, SelectChoice(str(value), marked(str(value)))]


def _unknown(value: str) -> str:
    return _("%(value)s (unknown)", value=value)


def _unlisted_sector(sector: str) -> str:
    return _("%(sector)s (not in the sector list)", sector=sector)


class RuleForm(Form):
    """One rule: the criteria it has (none is "any"), and who gets what it catches.

    A row of `AssignmentForm.rules`, without a CSRF token of its own.
    """

    size_class = SelectField(_l("Size"), validate_choice=False)
    sector = SelectField(_l("Sector"), validate_choice=False)
    channel = SelectField(_l("Channel"), validate_choice=False)
    form_id = SelectField(_l("Form"), validate_choice=False)
    person_id = SelectField(_l("Goes to"), validate_choice=False)

    def offer(self, choices: Choices) -> None:
        """Fill the selects from `choices`; a value not offered stays, marked."""
        self.offered = choices
        sizes = [SelectChoice(s, SIZE_LABELS[s]) for s in SIZE_CLASSES]
        sectors = [SelectChoice(s, s) for s in choices.sectors]
        channels = [SelectChoice(c, CHANNEL_WORDS[c]) for c in CHANNELS]
        forms = [SelectChoice(str(i), choices.form_title(i)) for i in choices.forms]
        people = [SelectChoice(str(i), name) for i, name in choices.taking()]
        for select, anything, offered, marked in (
            (self.size_class, _("Any size"), sizes, _unknown),
            (self.sector, _("Any sector"), sectors, _unlisted_sector),
            (self.channel, _("Any channel"), channels, _unknown),
            (self.form_id, _("Any form"), forms, _unknown),
            (self.person_id, _("Choose a person"), people, self._person_label),
        ):
            select.choices = _kept([SelectChoice("", anything), *offered], select.data, marked)

    def _account(self, value) -> Account | None:
        person_id = _as_id(value)
        return self.offered.accounts.get(person_id) if person_id is not None else None

    def _person_label(self, value: str) -> str:
        account = self._account(value)
        if account is None:
            return _unknown(value)
        if not account.active:
            return _("%(name)s (deactivated)", name=account.name)
        return _("%(name)s (does not take leads)", name=account.name)

    def has_criteria(self) -> bool:
        return any(self[name].data for name in CRITERIA)

    def person_warning(self) -> str | None:
        """Why this rule, as it stands, would be passed over (shown before saving)."""
        if not self.person_id.data or self.person_id.errors:
            return None
        return self.offered.person_problem(_as_id(self.person_id.data))

    def validate_size_class(self, field):
        if field.data and field.data not in SIZE_CLASSES:
            raise ValidationError(_("Choose small, medium or large, or any size."))

    def validate_sector(self, field):
        if field.data and field.data not in self.offered.sectors:
            raise ValidationError(
                _(
                    "%(sector)s is not in the sector list (on the qualification rules page): "
                    "choose a sector from the list.",
                    sector=field.data,
                )
            )

    def validate_channel(self, field):
        if field.data and field.data not in CHANNELS:
            raise ValidationError(_("Choose one of the channels, or any channel."))

    def validate_form_id(self, field):
        if field.data and _as_id(field.data) not in self.offered.forms:
            raise ValidationError(_("There is no such form: choose one of the forms, or any form."))

    def validate_person_id(self, field):
        if not field.data:
            raise ValidationError(_("Choose who gets the leads this rule catches."))
        account = self._account(field.data)
        if account is None:
            raise ValidationError(_("There is no such person: choose someone who takes leads."))
        if not account.active:
            raise ValidationError(
                _("%(name)s is deactivated: choose someone who takes leads.", name=account.name)
            )
        if not account.takes_leads:
            raise ValidationError(
                _(
                    "%(name)s does not take leads: choose someone who does, or switch them "
                    "on on the users page.",
                    name=account.name,
                )
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.has_criteria():
            self.form_errors.append(str(NO_CRITERIA))
            return False
        return valid

    def to_rule(self) -> AssignmentRule:
        """The rule (call after a successful validate), labelled for the log."""
        values = {name: self[name].data or None for name in CRITERIA}
        values["form_id"] = _as_id(values["form_id"])
        person_id = _as_id(self.person_id.data)
        label = rule_label(values, self.offered.accounts[person_id].name, self.offered.forms)
        return AssignmentRule(person_id=person_id, label=label, **values)


def rule_label(criteria: dict, person: str, forms: dict[int, str]) -> str:
    """E.g. `large firms, sector healthcare → Anna de Vries`: the rule as the
    owner-change log shows it ("rule 1: ..."), in English like the log's
    other reasons, short enough for it."""
    parts = []
    if criteria.get("size_class"):
        parts.append(SIZE_LOG_WORDS[criteria["size_class"]])
    if criteria.get("sector"):
        parts.append(f"sector {criteria['sector']}")
    if criteria.get("channel"):
        parts.append(f"channel {criteria['channel']}")
    if criteria.get("form_id"):
        title = forms.get(criteria["form_id"], str(criteria["form_id"]))
        if len(title) > FORM_TITLE_IN_LABEL:
            title = title[: FORM_TITLE_IN_LABEL - 1].rstrip() + "…"
        parts.append(f'form "{title}"')
    return f"{', '.join(parts)} → {person}"


def rule_row(rule: AssignmentRule) -> dict:
    """A stored rule as the editor's row holds it (select values are text)."""
    row = {name: getattr(rule, name) or "" for name in CRITERIA}
    row["form_id"] = str(row["form_id"]) if row["form_id"] else ""
    row["person_id"] = str(rule.person_id)
    return row


class AssignmentForm(FlaskForm):
    """The rules in order and the nurture switch; `to_settings` turns a valid post into settings."""

    rules = FieldList(FormField(RuleForm), max_entries=MAX_RULES)
    nurture_owners = BooleanField(
        _l("Nurture leads get an owner too"),
        description=_l(
            "Off: only opportunities get an owner. On: a lead routed to nurture gets one the "
            "same way; a nurture lead you have already gets one when it next sends a form."
        ),
    )

    def __init__(self, *args, choices: Choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = choices
        for entry in self.rules:
            entry.form.offer(choices)

    @classmethod
    def for_settings(cls, settings: AssignmentSettings, choices: Choices) -> "AssignmentForm":
        """The editor filled in with `settings`."""
        return cls.for_rows(
            [rule_row(rule) for rule in settings.rules], settings.nurture_owners, choices
        )

    @classmethod
    def for_rows(cls, rows: list[dict], nurture_owners: bool, choices: Choices) -> "AssignmentForm":
        """The editor showing `rows` as typed (after adding, removing or moving one)."""
        data = {"rules": rows, "nurture_owners": nurture_owners}
        return cls(formdata=None, data=data, choices=choices)

    def rows(self) -> list[dict]:
        """The rules as typed, each a dict of its select values."""
        return [
            {name: str(entry.form[name].data or "") for name in (*CRITERIA, "person_id")}
            for entry in self.rules
        ]

    def to_settings(self) -> AssignmentSettings:
        """The settings (call after a successful validate)."""
        rules = tuple(entry.form.to_rule() for entry in self.rules)
        return AssignmentSettings(rules, bool(self.nurture_owners.data))
