"""What a person sets about taking leads, as typed on /account (their own)
and on the admin's users page (anyone's): their absences, and the words for
the domain's refusals. Shared by both pages, which may not import each other.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired, ValidationError

from ..domain.assignment import (
    ABSENCE_BACKWARDS,
    MAX_WEIGHT,
    WEIGHT_OUT_OF_RANGE,
    AssignmentProblem,
)
from ..domain.assignment import Absence as Away
from ..extensions import db
from ..models import Absence
from ..web.filters import date_words
from .owners import absence_saved, business_today

# The domain's refusals in the reader's language (written out, so that
# pybabel finds them).
PROBLEM_WORDS = {
    ABSENCE_BACKWARDS: _l("An absence cannot end before it starts."),
    WEIGHT_OUT_OF_RANGE: _l("A weight is a whole number from 1 to %(most)s.", most=MAX_WEIGHT),
}
NOT_A_DAY = _l("Give a date, e.g. 2026-12-07.")


def problem_words(problem: AssignmentProblem | str) -> str:
    """An AssignmentProblem's message as the page says it."""
    message = str(problem)
    return str(PROBLEM_WORDS.get(message, message))


class AbsenceForm(FlaskForm):
    """Away from one day to another, both included (the business's dates).

    An absence that is over already would change nothing: refused, as is
    one ending before it starts.
    """

    starts = DateField(
        _l("From"),
        validators=[InputRequired(_l("Give the first day away."))],
        invalid_value_message=NOT_A_DAY,
    )
    ends = DateField(
        _l("To"),
        description=_l("The last day away (the same day for a single day)."),
        validators=[InputRequired(_l("Give the last day away."))],
        invalid_value_message=NOT_A_DAY,
    )

    def validate_ends(self, field):
        if self.starts.data is None or field.data is None:
            return
        try:
            Away(self.starts.data, field.data)
        except AssignmentProblem as problem:
            raise ValidationError(problem_words(problem)) from None
        if field.data < business_today():
            raise ValidationError(
                _("This absence is over already: it ended before today. Give today or a later day.")
            )


class RemoveAbsenceForm(FlaskForm):
    """Remove an absence: a button with its CSRF token."""


def upcoming_absences(user_ids: Iterable[int] | None = None) -> dict[int, list[Absence]]:
    """The absences that have not ended by today (current and upcoming), per
    person, soonest first; of `user_ids` only, when given."""
    query = (
        db.select(Absence)
        .where(Absence.ends >= business_today())
        .order_by(Absence.starts, Absence.ends, Absence.id)
    )
    if user_ids is not None:
        query = query.where(Absence.user_id.in_(list(user_ids)))
    upcoming: dict[int, list[Absence]] = {}
    for absence in db.session.scalars(query):
        upcoming.setdefault(absence.user_id, []).append(absence)
    return upcoming


def away_until(absences: Iterable[Absence], today: date | None = None) -> date | None:
    """The day a person is back after (the last day away), when an absence
    covers today; absences that follow on without a day between count as one."""
    today = today or business_today()
    until = None
    for absence in sorted(absences, key=lambda absence: absence.starts):
        reaches = today if until is None else until + timedelta(days=1)
        if absence.starts <= reaches and absence.ends >= (until or today):
            until = absence.ends
    return until


def add_absence(user_id: int, starts: date, ends: date, by: int) -> tuple[Absence, int]:
    """Store an absence set by `by`; when it covers today, the person's
    opportunities still waiting for a first response go to others now (else
    the worker hands them over on its first day). Returns the absence and
    how many leads moved; the caller commits."""
    absence = Absence(user_id=user_id, starts=starts, ends=ends, set_by_id=by)
    db.session.add(absence)
    db.session.flush()
    return absence, absence_saved(absence, by=by)


def day_words(day: date) -> str:
    """`7 Dec`, with the year when it is not this year's."""
    return date_words(day, "d MMM" if day.year == business_today().year else "d MMM yyyy")


def span_words(absence: Absence) -> str:
    """`from 7 Dec to 11 Dec`, or `on 7 Dec` for a single day."""
    if absence.starts == absence.ends:
        return _("on %(day)s", day=day_words(absence.starts))
    return _(
        "from %(starts)s to %(ends)s",
        starts=day_words(absence.starts),
        ends=day_words(absence.ends),
    )


def moved_words(moved: int) -> str:
    """What a hand-over did, for the message after saving ("" when nothing moved)."""
    if not moved:
        return ""
    return ngettext(
        "%(num)d opportunity waiting for a first response went to a colleague.",
        "%(num)d opportunities waiting for a first response went to colleagues.",
        moved,
    )
