"""The forms of the users page: add a user, set a new password, (de)activate.

Every one is a FlaskForm, so each post carries the CSRF token.
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from ..access.names import name_field
from ..access.roles import ROLES
from ..extensions import db
from ..models import User

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
