"""The forms of the marketing costs page: one month's cost per channel, and the
sales cost of a first appointment. Amounts are typed in euros, Dutch or English
style; an empty field means no cost entered.
"""

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from ..domain import money
from ..domain.money import money_input, parse_money
from ..domain.vocabulary import CHANNELS
from ..web.labels import CHANNEL_WORDS

MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")

# What each channel's cost covers, beside its field.
CHANNEL_HINTS = {
    "paid": _l("ads: Google, LinkedIn, Meta, display"),
    "email": _l("newsletters and mailings: the tool, the writing"),
    "event": _l("trade fairs, events, print and QR codes"),
    "social": _l("unpaid social media: posts, the time spent on them"),
    "search": _l("found in search engines: SEO, content"),
    "referral": _l("other sites that link to yours: partners, directories"),
    "direct": _l("the website itself: hosting, design"),
    "manual": _l("leads sales entered: calls, business cards"),
}
# parse_money's sentences, in the reader's language.
MONEY_MESSAGES = {
    money.ASK: _l("Enter an amount in euros, like 2500 or 2.500,00."),
    money.NEGATIVE: _l("Enter an amount of zero or more: a cost cannot be negative."),
    money.TOO_PRECISE: _l("Use at most 2 decimals (whole cents), like 2.500,50."),
    money.TOO_LARGE: _l("Enter at most €10,000,000.00; check the amount for a typo."),
}


def month_from_key(key: str | None) -> date | None:
    """The first day of the month `2026-10`, or None for anything else."""
    match = MONTH_KEY.match(key or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    return date(year, month, 1) if 1900 <= year <= 9998 and 1 <= month <= 12 else None


def month_key(month: date) -> str:
    return f"{month:%Y-%m}"


def cents_of(field) -> int | None:
    """The amount typed in `field` in cents, None when empty; ValueError when unreadable."""
    text = (field.data or "").strip()
    return parse_money(text) if text else None


def check_money(_form, field) -> None:
    try:
        cents_of(field)
    except ValueError as error:
        said = str(error)
        raise ValidationError(MONEY_MESSAGES.get(said, said)) from error


def money_field(label) -> StringField:
    return StringField(label, validators=[check_money])


def money_data(cents: int | None) -> str:
    return "" if cents is None else money_input(cents)


class MonthCostsForm(FlaskForm):
    """A month (`2026-10`) and a field per channel, named after the channel."""

    month = HiddenField()

    @classmethod
    def for_month(cls, month: date, costs: dict[str, int]) -> "MonthCostsForm":
        """The form filled in with the stored costs of `month` ({channel: cents})."""
        data = {channel: money_data(costs.get(channel)) for channel in CHANNELS}
        return cls(formdata=None, data={"month": month_key(month), **data})

    def amounts(self) -> dict[str, int | None]:
        """{channel: cents or None} of a validated form."""
        return {channel: cents_of(self[channel]) for channel in CHANNELS}


for _channel in CHANNELS:
    setattr(MonthCostsForm, _channel, money_field(CHANNEL_WORDS[_channel]))


class SalesCostForm(FlaskForm):
    """The optional sales cost per first appointment; `month` is the page to return to."""

    month = HiddenField()
    per_appointment = money_field(_l("Sales cost per first appointment (optional)"))

    @classmethod
    def for_cost(cls, cents: int | None, month: date) -> "SalesCostForm":
        data = {"per_appointment": money_data(cents), "month": month_key(month)}
        return cls(formdata=None, data=data)
