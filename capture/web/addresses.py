"""Web addresses people type for others to follow: a form's booking link, a
person's own booking link. Shared by the admin's and the account's forms."""

from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import URLField
from wtforms.validators import Length, Optional, ValidationError

WEB_SCHEMES = ("http", "https")
# As the database keeps a booking link (forms.booking_url, users.booking_url).
MAX_ADDRESS = 500


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def check_web_address(form, field) -> None:
    """A link visitors follow: http or https with a host, nothing else (no
    javascript:, no spaces or invisible characters); empty passes."""
    if not field.data:
        return
    try:
        parts = urlsplit(field.data)
        host = parts.hostname
    except ValueError:  # e.g. "https://[not-an-ip" has no host to speak of
        host = None
    if (
        not host
        or parts.scheme.lower() not in WEB_SCHEMES
        or any(char.isspace() or not char.isprintable() for char in field.data)
    ):
        raise ValidationError(_("Enter a web address starting with https:// (or http://)."))


def booking_link_field(label, description=None) -> URLField:
    """An optional booking link (Cal.com, Calendly, ...): empty means none."""
    return URLField(
        label,
        description=description,
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=MAX_ADDRESS, message=_l("Keep the link under 500 characters.")),
            check_web_address,
        ],
    )
