"""The response targets page's form: a target per list and size class, in
business hours, and the opening hours per weekday.

A target is typed in hours, decimals allowed with a point or a comma (1.5 or
1,5 is 90 minutes; 1:30 too); an empty field means no target. The domain
checks both (capture/domain/triage.py, business_time.py); its refusals are
said here in the reader's language, beside the field they are about.
"""

import re
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from babel.numbers import get_decimal_symbol
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TimeField
from wtforms.validators import ValidationError

from ..domain import business_time, triage
from ..domain.business_time import WEEKDAYS, BusinessHours, BusinessTimeProblem
from ..domain.triage import (
    MAX_TARGET_HOURS,
    SIZE_CLASSES,
    TARGET_LISTS,
    UNKNOWN_SIZE_KEY,
    ResponseTargets,
    TriageProblem,
    check_target,
    target_for,
)
from ..web.filters import page_locale
from ..web.labels import LIST_NAMES, SIZE_LABELS

# The domain's refusals in the reader's language (written out, so that pybabel finds them).
PROBLEM_WORDS = {
    triage.TARGET_NOT_POSITIVE: _l(
        "A response target is longer than zero. Leave the field empty for no target."
    ),
    triage.TARGET_TOO_LONG: _l(
        "A response target is at most %(most)s business hours.", most=MAX_TARGET_HOURS
    ),
    triage.TARGET_NOT_WHOLE_MINUTES: _l(
        "A response target is a whole number of minutes: 1.5 hours is 90 minutes, "
        "1.01 hours is not whole."
    ),
    triage.LIST_WITHOUT_TARGETS: _l(
        "Response targets are set for opportunities and nurture leads only."
    ),
    triage.NOT_A_SIZE_CLASS: _l(
        "A response target is set per size class: large, medium, small or unknown."
    ),
    business_time.CLOSES_BEFORE_OPENING: _l("A day closes after it opens."),
    business_time.NO_OPEN_DAY: _l("Business hours need at least one open day."),
    business_time.ONE_ENTRY_PER_WEEKDAY: _l(
        "Business hours have one entry per weekday, Monday to Sunday."
    ),
    business_time.NEVER_OPEN: _l(
        "The business is not open on any day within a year (every open day a holiday)."
    ),
}
NOT_HOURS = _l("Enter a number of hours, like 1.5, or leave the field empty for no target.")
ENTER_A_TIME = _l("Enter a time, like 09:00.")
SIZE_UNKNOWN = _l("Size unknown")
WEEKDAY_NAMES = {
    "monday": _l("Monday"),
    "tuesday": _l("Tuesday"),
    "wednesday": _l("Wednesday"),
    "thursday": _l("Thursday"),
    "friday": _l("Friday"),
    "saturday": _l("Saturday"),
    "sunday": _l("Sunday"),
}

# 1.5, 1,5, -2 (refused by the domain, with its reason); at most 6 decimals,
# so that a number of hours is a whole number of microseconds.
DECIMAL_HOURS = re.compile(r"^(-?\d{1,6})(?:[.,](\d{1,6}))?$")
HOURS_AND_MINUTES = re.compile(r"^(\d{1,6}):([0-5]\d)$")
MICROSECONDS_PER_HOUR = 3_600_000_000


def problem_words(problem: Exception | str) -> str:
    """A TriageProblem's or BusinessTimeProblem's message as the page says it."""
    message = str(problem)
    return str(PROBLEM_WORDS.get(message, message))


def size_label(size: str | None) -> str:
    """`Large (250+)`, `Size unknown`: a size class as a row heading."""
    return str(SIZE_LABELS[size] if size is not None else SIZE_UNKNOWN)


def typed_target(text: str | None) -> timedelta | None:
    """The target typed in hours (`1.5`, `1,5`, `1:30`); None for an empty field.

    Raises ValueError for anything that is not a number of hours, and
    TriageProblem when the domain refuses the target (not positive, too
    long, not whole minutes).
    """
    text = (text or "").strip()
    if not text:
        return None
    clock_time = HOURS_AND_MINUTES.match(text)
    decimal = DECIMAL_HOURS.match(text)
    if clock_time:
        target = timedelta(hours=int(clock_time[1]), minutes=int(clock_time[2]))
    elif decimal:
        hours = Fraction(f"{decimal[1]}.{decimal[2] or 0}")
        target = timedelta(microseconds=int(hours * MICROSECONDS_PER_HOUR))
    else:
        raise ValueError(text)
    check_target(target)
    return target


def hours_text(target: timedelta | None) -> str:
    """A target as the field shows it: `1.5` (`1,5` in Dutch), or `1:40` when
    its hours have no short decimal; empty for no target."""
    if target is None:
        return ""
    minutes = target // timedelta(minutes=1)
    hours = Fraction(minutes, 60)
    if 10**6 % hours.denominator:
        return f"{minutes // 60}:{minutes % 60:02d}"
    shown = format((Decimal(hours.numerator) / hours.denominator).normalize(), "f")
    return shown.replace(".", get_decimal_symbol(page_locale()))


def target_field_name(list_name: str, size: str | None) -> str:
    """`opportunity_large`, `nurture_unknown`: the field of one list and size class."""
    return f"{list_name}_{UNKNOWN_SIZE_KEY if size is None else size}"


def check_hours(_form, field) -> None:
    try:
        typed_target(field.data)
    except TriageProblem as problem:
        raise ValidationError(problem_words(problem)) from None
    except ValueError:
        raise ValidationError(str(NOT_HOURS)) from None


def _time_field(label) -> TimeField:
    # <input type="time"> sends 09:00, or 09:00:00 when it shows seconds.
    return TimeField(label, format=["%H:%M", "%H:%M:%S"])


class TargetsForm(FlaskForm):
    """A field per list and size class, and per weekday open/opens/closes
    (all added below). `validate` checks them with the domain; then
    `targets` and `hours` hold what was typed as the domain's settings."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets: ResponseTargets | None = None
        self.hours: BusinessHours | None = None
        self.hours_errors: list[str] = []

    @classmethod
    def for_settings(cls, targets: ResponseTargets, hours: BusinessHours) -> "TargetsForm":
        """The form filled in with `targets` and `hours`."""
        data = {
            target_field_name(list_name, size): hours_text(target_for(list_name, size, targets))
            for list_name in TARGET_LISTS
            for size in SIZE_CLASSES
        }
        for weekday, opening in zip(WEEKDAYS, hours.days, strict=True):
            opens, closes = opening or (None, None)
            data[f"{weekday}_open"] = opening is not None
            data[f"{weekday}_opens"], data[f"{weekday}_closes"] = opens, closes
        return cls(formdata=None, data=data)

    def target_rows(self) -> list[tuple[str | None, list]]:
        """Per size class (large first, unknown last) its field per list."""
        return [
            (size, [self[target_field_name(list_name, size)] for list_name in TARGET_LISTS])
            for size in SIZE_CLASSES
        ]

    def day_rows(self) -> list[tuple[str, object, object, object]]:
        """Per weekday, Monday first: (weekday, open, opens, closes)."""
        return [
            (day, self[f"{day}_open"], self[f"{day}_opens"], self[f"{day}_closes"])
            for day in WEEKDAYS
        ]

    def problems(self) -> list[tuple[str, str]]:
        """Every refusal as (what it is about, message), for a summary."""
        found = [(str(field.label.text), field.errors[0]) for field in self if field.errors]
        found += [(_("Response targets"), message) for message in self.form_errors]
        return found + [(_("Business hours"), message) for message in self.hours_errors]

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        self.hours = self._checked_hours()
        self.targets = self._checked_targets()
        refused = any(field.errors for field in self) or self.form_errors
        return not refused and self.targets is not None and self.hours is not None

    def _checked_targets(self) -> ResponseTargets | None:
        fields = {
            (list_name, size): self[target_field_name(list_name, size)]
            for list_name in TARGET_LISTS
            for size in SIZE_CLASSES
        }
        if any(field.errors for field in fields.values()):
            return None
        by_list = {list_name: {} for list_name in TARGET_LISTS}
        for (list_name, size), field in fields.items():
            by_list[list_name][size] = typed_target(field.data)
        try:
            return ResponseTargets(by_list)
        except TriageProblem as problem:  # not from these fields; said all the same
            self.form_errors.append(problem_words(problem))
            return None

    def _checked_hours(self) -> BusinessHours | None:
        days = []
        for _day, open_, opens, closes in self.day_rows():
            if not open_.data:
                # A closed day's times are kept as typed and not looked at.
                opens.errors, closes.errors = [], []
                days.append(None)
                continue
            for field in (opens, closes):
                if field.data is None:  # empty, or not a time
                    field.errors = [str(ENTER_A_TIME)]
            days.append((opens.data, closes.data))
        if any(opens.errors or closes.errors for _d, _o, opens, closes in self.day_rows()):
            return None
        try:
            return BusinessHours(tuple(days))
        except BusinessTimeProblem as problem:
            if str(problem) == business_time.CLOSES_BEFORE_OPENING:
                for (_d, _o, _opens, closes), day in zip(self.day_rows(), days, strict=True):
                    if day is not None and not day[0] < day[1]:
                        closes.errors.append(problem_words(problem))
            else:
                self.hours_errors.append(problem_words(problem))
            return None


for _list_name in TARGET_LISTS:
    for _size in SIZE_CLASSES:
        _label = _l(
            "%(list)s, %(size)s: business hours",
            list=LIST_NAMES[_list_name],
            size=SIZE_LABELS[_size] if _size else SIZE_UNKNOWN,
        )
        setattr(
            TargetsForm,
            target_field_name(_list_name, _size),
            StringField(_label, validators=[check_hours]),
        )
for _weekday in WEEKDAYS:
    _name = WEEKDAY_NAMES[_weekday]
    setattr(TargetsForm, f"{_weekday}_open", BooleanField(_l("%(day)s: open", day=_name)))
    setattr(TargetsForm, f"{_weekday}_opens", _time_field(_l("%(day)s: opens", day=_name)))
    setattr(TargetsForm, f"{_weekday}_closes", _time_field(_l("%(day)s: closes", day=_name)))
