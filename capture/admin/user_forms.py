"""The forms of the users page: add a user, set a new password, (de)activate,
and how they take leads (an admin's switch, the weight, the booking link;
absences use the shared `AbsenceForm` of capture/leads/taking_leads.py).

Every one is a FlaskForm, so each post carries the CSRF token.
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError
from wtforms.widgets import NumberInput

from ..access.names import name_field
from ..access.roles import ROLES
from ..domain.assignment import MAX_WEIGHT, AssignmentProblem, check_weight
from ..extensions import db
from ..leads.taking_leads import problem_words
from ..models import User
from ..web.addresses import booking_link_field

MIN_PASSWORD = 8
# A light check: people log in with what the admin types, and an intranet
# address such as admin@leadgate.local is fine here (not for visitors).
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+$")
ROLE_LABELS = {
    "sales": _l("Sales: works the leads"),
    "admin": _l("Admin: the leads and these settings"),
}


def _password_field(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Type a password.")),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=_l(
                    "Use at least %(least)s characters (and at most 200).", least=MIN_PASSWORD
                ),
            ),
        ],
    )


def taken_message(user: User) -> str:
    if user.active:
        return _("There is already a user with this e-mail address.")
    return _("There is already a user with this e-mail address: reactivate them in the list.")


class NewUserForm(FlaskForm):
    """A new login; the e-mail is stored lowercased, as the login compares it."""

    email = EmailField(
        _l("E-mail"),
        filters=[lambda value: value.strip().lower() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Type the e-mail address they will log in with.")),
            Length(max=320),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ("sales", "admin")],
        default="sales",
        validators=[AnyOf(ROLES, message=_l("Choose sales or admin."))],
    )
    name = name_field(_l("Name"), _l("How colleagues see them named. Empty: their e-mail."))
    password = _password_field(_l("Password"))

    def validate_email(self, field):
        if not EMAIL_SHAPE.match(field.data):
            raise ValidationError(_("That is not an e-mail address."))
        existing = db.session.scalar(db.select(User).where(User.email == field.data))
        if existing is not None:
            raise ValidationError(taken_message(existing))


class NameForm(FlaskForm):
    """A user's display name, set by an admin (empty: their e-mail)."""

    name = name_field()


class PasswordForm(FlaskForm):
    password = _password_field(_l("New password"))


class ActiveForm(FlaskForm):
    """Deactivate (`no`) or reactivate (`yes`): the state wanted, so a double post is harmless."""

    active = HiddenField(validators=[AnyOf(("yes", "no"), message=_l("Choose yes or no."))])


class LiftLockForm(FlaskForm):
    """Lift a user's login lock (too many failed attempts): a button with its CSRF token."""


def _whole_number(value):
    """Typed digits as a number; anything else stays as typed, for the check to refuse."""
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,6}\s*", value):
        return int(value)
    return value


class WeightForm(FlaskForm):
    """A person's share of the round robin's turns: a part-timer 1, others 2."""

    weight = StringField(
        _l("Weight"),
        filters=[_whole_number],
        widget=NumberInput(min=1, max=MAX_WEIGHT, step=1),
    )

    def validate_weight(self, field):
        try:
            check_weight(field.data)
        except AssignmentProblem as problem:
            raise ValidationError(problem_words(problem)) from None


# An admin's switch (User.takes_leads): None, True, False as the form says them.
TAKES_LEADS_CHOICES = {
    "": _l("While no sales user is active"),
    "yes": _l("On: takes leads"),
    "no": _l("Off: takes no leads"),
}
TAKES_LEADS_VALUES = {"": None, "yes": True, "no": False}


def takes_leads_choice(value: bool | None) -> str:
    return {None: "", True: "yes", False: "no"}[value]


class TakesLeadsForm(FlaskForm):
    """Whether an admin takes leads; sales users always do while active."""

    takes_leads = SelectField(
        _l("Takes leads"),
        choices=[SelectChoice(value, label) for value, label in TAKES_LEADS_CHOICES.items()],
        default="",
        invalid_choice_message=_l("Choose one of the three."),
    )


class BookingLinkForm(FlaskForm):
    """A person's own booking link, offered to the visitors whose leads they own."""

    booking_url = booking_link_field(_l("Booking link"))
