"""A person's display name, as typed on /account and on the admin's users page."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from ..models import NAME_LENGTH


def tidy_name(value):
    """Spaces and line breaks collapsed to one space; invisible characters dropped."""
    if not isinstance(value, str):
        return value
    return " ".join("".join(ch for ch in value if ch.isprintable() or ch.isspace()).split())


def name_field(label=None, description=None) -> StringField:
    """An optional name: empty means "show my e-mail address"."""
    return StringField(
        label or _l("Name"),
        description=description,
        filters=[tidy_name],
        validators=[
            Optional(),
            Length(
                max=NAME_LENGTH,
                message=_l("A name of at most %(most)s characters, please.", most=NAME_LENGTH),
            ),
        ],
    )
