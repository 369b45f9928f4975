"""The embed page's three option forms: the snippet's variant, the campaign
link's `utm_*` values and the QR code's campaign.

They are GET forms read from the query string (plain WTForms, no CSRF): a
variant lives in the URL, so it can be bookmarked.
"""

from flask_babel import lazy_gettext as _l
from wtforms import Form as WebForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..domain.vocabulary import CHANNELS
from ..web.labels import CHANNEL_WORDS

DEFAULT_CAMPAIGN = "fair"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SnippetOptions(WebForm):
    lang = SelectField(
        _l("Language (data-lang)"),
        choices=[
            SelectChoice("", _l("The form's own")),
            SelectChoice("nl", _l("Dutch (nl)")),
            SelectChoice("en", _l("English (en)")),
        ],
        default="",
        invalid_choice_message=_l("Choose nl, en or the form's own language."),
    )
    channel = SelectField(
        _l("Fixed channel (data-channel)"),
        choices=[SelectChoice("", _l("Worked out per visitor"))]
        + [SelectChoice(name, CHANNEL_WORDS[name]) for name in CHANNELS if name != "manual"],
        default="",
        invalid_choice_message=_l("Choose one of the listed channels."),
    )


def _utm_field(label, description="") -> StringField:
    return StringField(
        label,
        description=description,
        filters=[_strip],
        validators=[Length(max=200, message=_l("Keep it under 200 characters."))],
    )


class LinkOptions(WebForm):
    utm_source = _utm_field(
        _l("Source (utm_source)"), _l("Where the link is: linkedin, newsletter")
    )
    utm_medium = _utm_field(_l("Medium (utm_medium)"), _l("What kind of link: social, email, cpc"))
    utm_campaign = _utm_field(_l("Campaign (utm_campaign)"), _l("e.g. spring-2026"))
    utm_term = _utm_field(_l("Term (utm_term)"), _l("A paid search keyword"))
    utm_content = _utm_field(
        _l("Content (utm_content)"), _l("Which ad or link, when there are several")
    )


class QrOptions(WebForm):
    qr_campaign = StringField(
        _l("Campaign"),
        default=DEFAULT_CAMPAIGN,
        filters=[_strip],
        validators=[
            DataRequired(_l("Name the campaign, e.g. the fair and its year.")),
            Length(max=200, message=_l("Keep the campaign under 200 characters.")),
        ],
    )
    qr_source = StringField(
        _l("Source (optional)"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("Keep the source under 200 characters."))],
    )
