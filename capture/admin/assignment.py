"""`/admin/assignment`: who gets a new opportunity. The people who take leads
(read-only here), the admin's assignment rules in order, the nurture switch,
and a preview of the rules as typed against the open opportunities.

Adding, removing and moving a rule change the editor only; Save stores it.
Those buttons and the preview answer htmx with the editor alone; without
JavaScript they render the whole page. Bad input: 422, the editor as typed.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from ..domain.assignment import (
    AssignmentProblem,
    AssignmentRule,
    LeadToAssign,
    Person,
    settings_to_dict,
)
from ..domain.funnel import whole_percent
from ..extensions import db
from ..leads.owners import business_today, people, save_settings, stored_settings
from ..leads.qualification import current_rules
from ..models import Form, Lead, User, utcnow
from ..web.filters import channel_word, date_words
from ..web.htmx import is_htmx, vary_on_htmx
from ..web.labels import SIZE_WORDS
from . import bp
from .assignment_forms import (
    MAX_RULES,
    Account,
    AssignmentForm,
    Choices,
    rule_row,
)

PAGE = "admin/assignment.html"
EDITOR = "admin/_assignment_editor.html"
PREVIEW_DAYS = 90
# The preview reads at most this many opportunities, the newest first.
PREVIEW_ROWS = 5000
_LEADS = Lead.__table__


def current_choices(everyone: list[Person]) -> Choices:
    """What a rule may name now: `everyone` (from `people()`), the sectors of
    the qualification rules, the forms (archived ones last, marked)."""
    active = dict(db.session.execute(select(User.id, User.active)).all())
    accounts = {
        person.id: Account(person.name, active.get(person.id, False), person.takes_leads)
        for person in everyone
    }
    forms = db.session.execute(
        select(Form.id, Form.title, Form.archived_at).order_by(
            Form.archived_at.is_not(None), Form.title, Form.id
        )
    ).all()
    titles = {form.id: form.title for form in forms}
    archived = frozenset(form.id for form in forms if form.archived_at is not None)
    return Choices(accounts, tuple(current_rules().sectors), titles, archived)


@dataclass(frozen=True)
class TeamMember:
    """A person who takes leads, as the page lists them."""

    name: str
    weight: int
    away: str  # "away until 14 June 2026", "away 3-7 July 2026", or ""


def away_words(person: Person, today: date) -> str:
    """The absence that covers `today`, else the next one, in words."""
    ahead = sorted((a for a in person.absences if a.ends >= today), key=lambda a: a.starts)
    if not ahead:
        return ""
    first = ahead[0]
    if first.starts <= today:
        return _("away until %(day)s", day=date_words(first.ends, "d MMMM yyyy"))
    return _(
        "away from %(starts)s to %(ends)s",
        starts=date_words(first.starts, "d MMMM yyyy"),
        ends=date_words(first.ends, "d MMMM yyyy"),
    )


def team(everyone: list[Person], today: date) -> list[TeamMember]:
    """The people who take leads, by name."""
    taking = sorted((p for p in everyone if p.takes_leads), key=lambda p: (p.name.casefold(), p.id))
    return [TeamMember(p.name, p.weight, away_words(p, today)) for p in taking]


@dataclass(frozen=True)
class AssignmentPreview:
    """Which rule would take each open opportunity: `caught[i]` by rule i+1
    (the first that matches), `also[i]` matching rule i+1 but taken by an
    earlier one, `by_turns` matching none."""

    leads: int
    capped: bool
    caught: tuple[int, ...]
    also: tuple[int, ...]
    by_turns: int

    def share(self, count: int) -> str:
        whole = whole_percent(count, self.leads)
        return "—" if whole is None else f"{whole}%"


def count_catches(rules: tuple[AssignmentRule, ...], leads: Counter) -> tuple[list, list, int]:
    """Per rule the leads it takes first and those it matches after an earlier
    rule took them, and how many no rule matches; `leads`: LeadToAssign -> how many."""
    caught, also, by_turns = [0] * len(rules), [0] * len(rules), 0
    for lead, times in leads.items():
        matching = [number for number, rule in enumerate(rules) if rule.matches(lead)]
        if not matching:
            by_turns += times
            continue
        caught[matching[0]] += times
        for number in matching[1:]:
            also[number] += times
    return caught, also, by_turns


def open_opportunities() -> tuple[Counter, bool]:
    """The newest open opportunities of the last PREVIEW_DAYS days, at most
    PREVIEW_ROWS, as assignment sees them (counted alike), and whether
    there were more. Reads only the four columns the rules look at."""
    since = utcnow() - timedelta(days=PREVIEW_DAYS)
    newest = (
        select(_LEADS.c.headcount, _LEADS.c.sector, _LEADS.c.channel, _LEADS.c.first_form_id)
        .where(
            _LEADS.c.list == "opportunity",
            _LEADS.c.outcome.is_(None),
            _LEADS.c.last_interest_at >= since,
        )
        .order_by(_LEADS.c.last_interest_at.desc())
        .limit(PREVIEW_ROWS + 1)
    )
    rows = db.session.execute(newest).all()
    leads = Counter(
        LeadToAssign(headcount=row[0], sector=row[1], channel=row[2], form_id=row[3])
        for row in rows[:PREVIEW_ROWS]
    )
    return leads, len(rows) > PREVIEW_ROWS


def preview_of(rules: tuple[AssignmentRule, ...]) -> AssignmentPreview:
    leads, capped = open_opportunities()
    caught, also, by_turns = count_catches(rules, leads)
    return AssignmentPreview(sum(leads.values()), capped, tuple(caught), tuple(also), by_turns)


def rule_words(rule: AssignmentRule, choices: Choices) -> str:
    """The criteria of `rule` in the page's language: `large firms, sector healthcare`."""
    parts = []
    if rule.size_class:
        parts.append(str(SIZE_WORDS[rule.size_class]))
    if rule.sector:
        parts.append(_("sector %(sector)s", sector=rule.sector))
    if rule.channel:
        parts.append(_("channel %(channel)s", channel=channel_word(rule.channel)))
    if rule.form_id:
        parts.append(_("form %(title)s", title=choices.forms.get(rule.form_id, rule.form_id)))
    return ", ".join(parts)


def stored_problems(choices: Choices) -> list[tuple[int, str]]:
    """The stored rules that assignment passes over now: (number, why)."""
    problems = []
    for number, rule in enumerate(stored_settings().rules, start=1):
        problem = choices.person_problem(rule.person_id)
        if problem:
            problems.append((number, problem))
    return problems


def _unsaved(form: AssignmentForm) -> bool:
    stored = stored_settings()
    typed = (form.rows(), bool(form.nurture_owners.data))
    return typed != ([rule_row(rule) for rule in stored.rules], stored.nurture_owners)


def _render(
    form: AssignmentForm,
    everyone: list[Person],
    status: int = 200,
    preview: AssignmentPreview | None = None,
    notice: str | None = None,
):
    shown = {
        "form": form,
        "preview": preview,
        "notice": notice,
        "unsaved": _unsaved(form),
        "max_rules": MAX_RULES,
        "preview_days": PREVIEW_DAYS,
        "preview_rows": PREVIEW_ROWS,
    }
    if preview is not None:
        rules = form.to_settings().rules
        names = {i: account.name for i, account in form.offered.accounts.items()}
        shown["preview_rules"] = [
            (number, rule_words(rule, form.offered), names[rule.person_id])
            for number, rule in enumerate(rules, start=1)
        ]
    if is_htmx():
        body = render_template(EDITOR, **shown)
    else:
        today = business_today()
        body = render_template(
            PAGE,
            **shown,
            team=team(everyone, today),
            problems=stored_problems(form.offered),
        )
    return vary_on_htmx(make_response(body, status))


def _posted() -> tuple[AssignmentForm, list[Person]]:
    everyone = people()
    return AssignmentForm(choices=current_choices(everyone)), everyone


@bp.get("/assignment")
def assignment():
    """The people who take leads, and the editor filled in with the settings in force."""
    everyone = people()
    choices = current_choices(everyone)
    return _render(AssignmentForm.for_settings(stored_settings(), choices), everyone)


def edited(rows: list[dict], edit: str) -> list[dict] | None:
    """`rows` after `edit` (`add`, `remove-2`, `up-1`, `down-0`); None when it makes no sense."""
    if edit == "add":
        return [*rows, {}] if len(rows) < MAX_RULES else None
    action, _dash, number = edit.partition("-")
    index = int(number) if number.isdigit() else -1
    if not 0 <= index < len(rows):
        return None
    rows = list(rows)
    if action == "remove":
        del rows[index]
    elif action == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif action == "down" and index < len(rows) - 1:
        rows[index], rows[index + 1] = rows[index + 1], rows[index]
    else:
        return None
    return rows


@bp.post("/assignment/edit")
def edit_assignment():
    """Add, remove or move a rule in the editor as typed; stores nothing."""
    form, everyone = _posted()
    rows = edited(form.rows(), request.form.get("edit", ""))
    if rows is None:
        if request.form.get("edit") == "add":
            notice = _("At most %(most)s rules.", most=MAX_RULES)
        else:
            notice = _("That rule is no longer there. Please try again.")
        return _render(form, everyone, 422, notice=notice)
    moved = AssignmentForm.for_rows(rows, bool(form.nurture_owners.data), form.offered)
    return _render(moved, everyone)


@bp.post("/assignment/preview")
def preview_assignment():
    """Count which rule would take each open opportunity; saves nothing. 422 when invalid."""
    form, everyone = _posted()
    if not form.validate():
        return _render(form, everyone, 422)
    return _render(form, everyone, preview=preview_of(form.to_settings().rules))


@bp.post("/assignment", endpoint="save_assignment")
def save():
    """Store the rules as typed and the nurture switch. 422 with the editor as typed."""
    form, everyone = _posted()
    if not form.validate():
        return _render(form, everyone, 422)
    settings = form.to_settings()
    if settings_to_dict(settings) == settings_to_dict(stored_settings()):
        flash(_("The assignment settings were already these; nothing to save."), "info")
        return vary_on_htmx(redirect(url_for("admin.assignment"), 303))
    try:
        save_settings(settings, current_user.id)
    except AssignmentProblem:
        # Someone was deactivated or switched off since the form was checked.
        db.session.rollback()
        notice = _(
            "A rule names someone who no longer takes leads. Check the rules and save again."
        )
        return _render(form, people(), 422, notice=notice)
    db.session.commit()
    rules = ngettext("%(num)d rule", "%(num)d rules", len(settings.rules))
    if settings.nurture_owners:
        message = _("Assignment saved: %(rules)s; nurture leads get an owner too.", rules=rules)
    else:
        message = _("Assignment saved: %(rules)s; only opportunities get an owner.", rules=rules)
    flash(message, "info")
    return vary_on_htmx(redirect(url_for("admin.assignment"), 303))
