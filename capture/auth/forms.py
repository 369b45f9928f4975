"""The login form, and the account form where a user sets their name, the
pages' language and their booking link. Their absences use the shared
`AbsenceForm` (capture/leads/taking_leads.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..access.names import name_field
from ..web.addresses import booking_link_field

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
    booking_url = booking_link_field(
        _l("Your booking link"),
        _l(
            "Your page for booking a call with you (Cal.com, Calendly, Microsoft Bookings, a "
            "Google appointment page), offered to visitors who become your opportunities. "
            "Empty: the form's booking link, if it has one."
        ),
    )
