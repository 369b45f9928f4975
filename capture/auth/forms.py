"""The login form, and the account form where a user sets their name and the pages' language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..access.names import name_field

# A user's `language`: "" (stored as None) follows the browser. The languages
# are named in their own words, so anyone can find theirs.
LANGUAGE_CHOICES = {"": _l("Browser's language"), "en": "English", "nl": "Nederlands"}


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class AccountForm(FlaskForm):
    name = name_field(
        _l("Your name"),
        _l("How colleagues see you named, e.g. on the leads you follow up. Empty: your e-mail."),
    )
    language = RadioField(
        _l("Language of these pages"),
        choices=[SelectChoice(value, label) for value, label in LANGUAGE_CHOICES.items()],
        default="",
        invalid_choice_message=_l("Choose one of the languages."),
    )
