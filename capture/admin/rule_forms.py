"""The qualification rules editor: every setting of the rules, checked before use.

Lists are typed one per line; the sector checkboxes offer the sectors of the
list as posted (so a sector just added can be ticked after a preview).
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, ValidationError

from ..domain.rules import QualificationRules, rules_from_dict
from ..domain.vocabulary import HEADCOUNT_BANDS, INTENTS

SECTOR_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECTOR_MAX_LENGTH = 40  # the width of a lead's sector column
MAX_SECTORS = 100
MAX_REASONS = 20
REASON_MAX_LENGTH = 100
MAX_POINTS = 1000
# Sales' move form offers "other" itself, under that value.
RESERVED_REASON = "other"
APPLY_CHOICES = {
    "new": _l(
        "New submissions only: existing leads stay where they are until they send a form again"
    ),
    "reroute": _l("Also re-route existing leads now (pinned leads stay where sales put them)"),
}


def lines(text: str | None) -> list[str]:
    """The non-empty lines of `text`, trimmed, each once, in order."""
    return list(dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()))


def band_field(band: str) -> str:
    """The field name for a headcount band's points, e.g. `band_2_9`, `band_1000_plus`."""
    return "band_" + band.replace("-", "_").replace("+", "_plus")


def intent_field(intent: str) -> str:
    return f"intent_{intent}"


def points_field(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(
                0,
                MAX_POINTS,
                _l("Enter a whole number from 0 to %(most)s.", most=f"{MAX_POINTS:,}"),
            ),
        ],
    )


def days_field(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(_l("Enter a number of days.")),
            NumberRange(1, 365, _l("Enter a number of days from 1 to 365.")),
        ],
    )


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _band_choices(empty_label) -> list[SelectChoice]:
    return [SelectChoice("", empty_label), *(SelectChoice(b, b) for b in HEADCOUNT_BANDS)]


class RulesForm(FlaskForm):
    """All qualification settings; `to_rules` turns a valid post into rules."""

    sectors = TextAreaField(_l("Sectors, one per line"))
    target_sectors = CheckboxesField(_l("Target sectors"), validate_choice=False)
    excluded_sectors = CheckboxesField(_l("Excluded sectors"), validate_choice=False)
    min_headcount = SelectField(
        _l("Minimum headcount"),
        choices=_band_choices(_l("No minimum")),
        invalid_choice_message=_l("Choose a headcount band or no minimum."),
    )
    max_headcount = SelectField(
        _l("Maximum headcount"),
        choices=_band_choices(_l("No maximum")),
        invalid_choice_message=_l("Choose a headcount band or no maximum."),
    )
    hot_days = days_field(_l("Hot: last interest within (days)"))
    warm_days = days_field(_l("Warm: last interest within (days)"))
    target_sector_points = points_field(_l("Bonus for a target sector"))
    repeat_points = points_field(_l("Per further submission"))
    repeat_points_max = points_field(_l("Further submissions at most"))
    opportunity_threshold = IntegerField(
        _l("Opportunity at a score of"),
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(
                1,
                5 * MAX_POINTS,
                _l("Enter a whole number from 1 to %(most)s.", most=f"{5 * MAX_POINTS:,}"),
            ),
        ],
    )
    disqualification_reasons = TextAreaField(_l("Disqualification reasons, one per line"))
    apply = RadioField(
        _l("When saving"),
        choices=[SelectChoice(value, label) for value, label in APPLY_CHOICES.items()],
        default="new",
        invalid_choice_message=_l("Choose when the new rules apply."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        listed = [s for s in lines((self.sectors.data or "").lower()) if SECTOR_SLUG.match(s)]
        # Ticked sectors no longer listed stay on screen, so their error shows beside them.
        ticked = [*(self.target_sectors.data or []), *(self.excluded_sectors.data or [])]
        options = [SelectChoice(s, s) for s in dict.fromkeys([*listed, *ticked])]
        self.target_sectors.choices = self.excluded_sectors.choices = options

    @classmethod
    def for_rules(cls, rules: QualificationRules) -> "RulesForm":
        """The editor filled in with `rules`."""
        data = {
            "sectors": "\n".join(rules.sectors),
            "target_sectors": [s for s in rules.sectors if s in rules.target_sectors],
            "excluded_sectors": [s for s in rules.sectors if s in rules.excluded_sectors],
            "min_headcount": rules.min_headcount or "",
            "max_headcount": rules.max_headcount or "",
            "disqualification_reasons": "\n".join(rules.disqualification_reasons),
        }
        for name in (
            "hot_days",
            "warm_days",
            "target_sector_points",
            "repeat_points",
            "repeat_points_max",
            "opportunity_threshold",
        ):
            data[name] = getattr(rules, name)
        for band in HEADCOUNT_BANDS:
            data[band_field(band)] = rules.headcount_points.get(band, 0)
        for intent in INTENTS:
            data[intent_field(intent)] = rules.intent_points.get(intent, 0)
        return cls(formdata=None, data=data)

    def band_fields(self) -> list:
        return [self[band_field(band)] for band in HEADCOUNT_BANDS]

    def intent_fields(self) -> list:
        return [self[intent_field(intent)] for intent in INTENTS]

    def sector_list(self) -> list[str]:
        return lines((self.sectors.data or "").lower())

    def reason_list(self) -> list[str]:
        return lines(self.disqualification_reasons.data)

    def validate_sectors(self, field):
        sectors = self.sector_list()
        if not sectors:
            raise ValidationError(_("List at least one sector."))
        if len(sectors) > MAX_SECTORS:
            raise ValidationError(
                _(
                    "At most %(most)s sectors; this list has %(count)s.",
                    most=MAX_SECTORS,
                    count=len(sectors),
                )
            )
        wrong = [s for s in sectors if not SECTOR_SLUG.match(s) or len(s) > SECTOR_MAX_LENGTH]
        if wrong:
            raise ValidationError(
                _(
                    "Use lowercase letters, digits and single hyphens, at most %(most)s "
                    "characters (e.g. business-services): %(wrong)s",
                    most=SECTOR_MAX_LENGTH,
                    wrong=", ".join(wrong[:3]),
                )
            )

    def _check_listed(self, field):
        missing = [s for s in field.data if s not in self.sector_list()]
        if missing:
            raise ValidationError(
                _(
                    "Not in the sector list: %(sectors)s. Untick it or add it to the list.",
                    sectors=", ".join(missing),
                )
            )

    def validate_target_sectors(self, field):
        self._check_listed(field)

    def validate_excluded_sectors(self, field):
        self._check_listed(field)
        both = [s for s in field.data if s in self.target_sectors.data]
        if both:
            raise ValidationError(
                _(
                    "A sector can't be both a target and excluded: %(sectors)s.",
                    sectors=", ".join(both),
                )
            )

    def validate_max_headcount(self, field):
        low, high = self.min_headcount.data, field.data
        if low not in HEADCOUNT_BANDS or high not in HEADCOUNT_BANDS:
            return
        if HEADCOUNT_BANDS.index(high) < HEADCOUNT_BANDS.index(low):
            raise ValidationError(_("The maximum can't be below the minimum (%(low)s).", low=low))

    def validate_warm_days(self, field):
        if field.errors or self.hot_days.errors or self.hot_days.data is None:
            return
        if field.data <= self.hot_days.data:
            raise ValidationError(
                _(
                    "Warm must last longer than hot: more than %(days)s days.",
                    days=self.hot_days.data,
                )
            )

    def validate_disqualification_reasons(self, field):
        reasons = self.reason_list()
        if not reasons:
            raise ValidationError(
                _("Give at least one reason; sales pick one to disqualify a lead.")
            )
        if len(reasons) > MAX_REASONS:
            raise ValidationError(
                _(
                    "At most %(most)s reasons; this list has %(count)s.",
                    most=MAX_REASONS,
                    count=len(reasons),
                )
            )
        long = [r for r in reasons if len(r) > REASON_MAX_LENGTH]
        if long:
            raise ValidationError(
                _(
                    "Keep each reason under %(most)s characters: %(reason)s…",
                    most=REASON_MAX_LENGTH,
                    reason=long[0][:40],
                )
            )
        if any(r.casefold() == RESERVED_REASON for r in reasons):
            raise ValidationError(
                _('"Other" is always offered to sales; leave it out of the list.')
            )

    def to_rules(self, base: QualificationRules) -> QualificationRules:
        """`base` with this form's settings (call after a successful validate)."""
        return rules_from_dict(
            {
                "sectors": self.sector_list(),
                "target_sectors": self.target_sectors.data,
                "excluded_sectors": self.excluded_sectors.data,
                "min_headcount": self.min_headcount.data or None,
                "max_headcount": self.max_headcount.data or None,
                "hot_days": self.hot_days.data,
                "warm_days": self.warm_days.data,
                "headcount_points": {b: self[band_field(b)].data for b in HEADCOUNT_BANDS},
                "target_sector_points": self.target_sector_points.data,
                "intent_points": {i: self[intent_field(i)].data for i in INTENTS},
                "repeat_points": self.repeat_points.data,
                "repeat_points_max": self.repeat_points_max.data,
                "opportunity_threshold": self.opportunity_threshold.data,
                "disqualification_reasons": self.reason_list(),
            },
            base=base,
        )


# One points field per headcount band and per intent, named by band_field/intent_field.
INTENT_LABELS = {"low": _l("Low intent"), "medium": _l("Medium intent"), "high": _l("High intent")}
for _band in HEADCOUNT_BANDS:
    _label = _l("1 employee") if _band == "1" else _l("%(band)s employees", band=_band)
    setattr(RulesForm, band_field(_band), points_field(_label))
for _intent in INTENTS:
    setattr(RulesForm, intent_field(_intent), points_field(INTENT_LABELS[_intent]))


class ContinueReroutingForm(FlaskForm):
    """Go on with an unfinished re-route: a button, with only the CSRF token."""
