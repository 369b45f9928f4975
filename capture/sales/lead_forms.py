"""The forms behind a lead's actions: move, mark contacted, outcome, note.

Every action is a POST with a FlaskForm, so each carries the CSRF token and
says per field what is wrong.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from ..domain.vocabulary import LISTS
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
