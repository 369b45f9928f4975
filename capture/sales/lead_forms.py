"""The forms behind a lead's actions: move, mark contacted, outcome, note,
give to another owner.

Every action is a POST with a FlaskForm, so each carries the CSRF token and
says per field what is wrong.
"""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from ..domain.assignment import Person
from ..domain.vocabulary import LISTS
from ..web.filters import date_words
from ..web.labels import LIST_NAMES

OTHER = "other"
# Stored as the reason, like the rules' reasons: not translated.
DEFAULT_MOVE_REASON = "Moved by hand"


class MoveForm(FlaskForm):
    """Move a lead to a list, with a reason; the reasons come from the rules.

    After `validate()`, `chosen_reason` is the reason to store: the picked
    reason (with the typed text after it, if any), else the typed text, else
    "Moved by hand" for any list but `disqualified`, which needs a reason.
    """

    to_list = SelectField(
        _l("Move to"),
        choices=[SelectChoice(name, LIST_NAMES[name]) for name in LISTS],
        validate_choice=False,
        validators=[AnyOf(LISTS, message=_l("Choose a list."))],
    )
    reason = SelectField(_l("Reason"), default="")
    other_reason = StringField(_l("In your own words"), validators=[Length(max=300)])

    def __init__(self, reasons: tuple[str, ...], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons = reasons
        self.reason.choices = [
            SelectChoice("", _("No reason chosen")),
            *[SelectChoice(reason, reason) for reason in reasons],
            SelectChoice(OTHER, _("Other (say why below)")),
        ]
        self.chosen_reason: str | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        picked = self.reason.data or ""
        typed = (self.other_reason.data or "").strip()
        disqualifying = self.to_list.data == "disqualified"
        if picked == OTHER and not typed:
            self.other_reason.errors.append(_("Say why in a few words, or pick a reason above."))
            return False
        if picked in self.reasons and not disqualifying:
            self.reason.errors.append(
                _("That reason is for disqualifying. Leave it empty and add a note below instead.")
            )
            return False
        if picked in self.reasons:
            self.chosen_reason = f"{picked}: {typed}" if typed else picked
        elif typed:
            self.chosen_reason = typed
        elif disqualifying:
            self.reason.errors.append(_("Choose why this lead is disqualified."))
            return False
        else:
            self.chosen_reason = DEFAULT_MOVE_REASON
        return True


class ContactedForm(FlaskForm):
    """Mark a lead contacted: a button, with only the CSRF token."""


class OutcomeForm(FlaskForm):
    """How an opportunity ended: won or lost (the two submit buttons' value)."""

    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice("won", _l("Won")), SelectChoice("lost", _l("Lost"))],
        validate_choice=False,
        validators=[AnyOf(("won", "lost"), message=_l("Choose won or lost."))],
    )


class ChangedAnswersForm(FlaskForm):
    """Accept a returning lead's changed answers, or keep the stored ones.

    `seen` is when the answers shown were kept aside: if newer ones came in
    since, the person must look again before deciding.
    """

    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("accept", _l("Accept")), SelectChoice("keep", _l("Keep"))],
        validate_choice=False,
        validators=[AnyOf(("accept", "keep"), message=_l("Choose accept or keep."))],
    )
    seen = HiddenField()


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("New note"),
        validators=[
            DataRequired(message=_l("Write something first.")),
            Length(max=5000, message=_l("Keep a note under 5,000 characters.")),
        ],
    )


def away_until(person: Person, today: date) -> date | None:
    """The last day of `person`'s absence that covers `today`; None when they are in."""
    covering = [absence.ends for absence in person.absences if absence.covers(today)]
    return max(covering, default=None)


class ReassignForm(FlaskForm):
    """Give a lead to another person who takes leads, saying why.

    The choices are the people who take leads; those away today are shown,
    marked and disabled: a lead given to them waits for nobody. Whether the
    chosen person may take it is settled by `available_person`, once the
    lead is locked.
    """

    new_owner = SelectField(_l("Give to"), default="", validate_choice=False)
    why = StringField(
        _l("Why"),
        validators=[
            DataRequired(message=_l("Say why in a few words: the log and the new owner show it.")),
            # As the owner log keeps a reason.
            Length(max=300, message=_l("Keep the reason under 300 characters.")),
        ],
    )

    def __init__(self, people: list[Person], today: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        taking = sorted((p for p in people if p.takes_leads), key=lambda p: p.name.casefold())
        self.new_owner.choices = [SelectChoice("", _("Choose a person"))] + [
            self._choice(person) for person in taking
        ]

    def _choice(self, person: Person) -> SelectChoice:
        until = away_until(person, self.today)
        if until is None:
            return SelectChoice(str(person.id), person.name)
        label = _("%(name)s (away until %(day)s)", name=person.name, day=date_words(until, "d MMM"))
        return SelectChoice(str(person.id), label, render_kw={"disabled": True})

    @property
    def chosen_id(self) -> int | None:
        """The chosen person's id as posted (not yet checked), or None for
        anything no user can have (PostgreSQL's ids are 32 bits)."""
        value = (self.new_owner.data or "").strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 10:
            return None
        return int(value) if 0 < int(value) < 2**31 else None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.chosen_id is None:
            self.new_owner.errors.append(_("Choose who takes this lead."))
            return False
        return valid

    def available_person(self, people: list[Person]) -> Person | None:
        """The chosen person, when they take leads and are not away today;
        else None, with the reason on the field."""
        person = next((p for p in people if p.id == self.chosen_id and p.takes_leads), None)
        if person is None:
            self.new_owner.errors.append(
                _(
                    "That person does not take leads (deactivated, or switched off): "
                    "choose someone else."
                )
            )
            return None
        until = away_until(person, self.today)
        if until is not None:
            self.new_owner.errors.append(
                _(
                    "%(name)s is away until %(day)s and would not answer: choose someone else.",
                    name=person.name,
                    day=date_words(until, "d MMMM"),
                )
            )
            return None
        return person
