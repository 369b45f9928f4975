"""`/admin/targets`: the response targets per list and size class, and the
business hours they count in; a preview of their effect on the leads waiting
for an answer now; saving recomputes every running clock.

The preview runs on every change of a field (htmx swaps the preview alone)
and by its button (htmx swaps the editor; without JavaScript, the page).
Bad input: 422, the editor as typed, nothing stored.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import case, func, null, select

from ..domain.business_time import BusinessHours
from ..domain.funnel import whole_percent
from ..domain.triage import (
    DEFAULT_TARGETS,
    SIZE_CLASSES,
    TARGET_LISTS,
    ResponseTargets,
    target_for,
)
from ..extensions import db
from ..leads.business_calendar import next_holidays
from ..leads.clocks import (
    business_hours,
    deadline,
    recompute_running_clocks,
    response_targets,
    save_hours,
)
from ..leads.clocks import save_targets as store_targets
from ..leads.owners import business_today
from ..models import Lead, ResponseClock, User, utcnow
from ..web.filters import business_zone, page_locale
from ..web.htmx import is_htmx, vary_on_htmx
from . import bp
from .target_forms import WEEKDAY_NAMES, TargetsForm, hours_text, size_label

PAGE = "admin/targets.html"
EDITOR = "admin/_targets_editor.html"
SOONEST = 10  # rows in the preview's table
HISTORY_DAYS = 90
HOLIDAYS_SHOWN = 3
_LEADS, _CLOCKS, _USERS = Lead.__table__, ResponseClock.__table__, User.__table__


@dataclass(frozen=True)
class DueLead:
    """A lead in the preview's table: its deadline now and under the typed settings."""

    id: int
    name: str
    company: str
    size: str | None
    owner: str | None
    respond_by: datetime
    would_respond_by: datetime


@dataclass(frozen=True)
class TargetsPreview:
    """The typed settings against the ones in force, over the running clocks
    (`running`) and the clocks answered in the last HISTORY_DAYS days."""

    running: int
    overdue: int  # now: by the deadline each clock has
    would_be_overdue: int
    without_target: int  # running clocks whose list and size class would have no target
    soonest: tuple[DueLead, ...]
    answered: int
    within: int
    answered_with_target: int  # of `answered`, those with a typed target
    would_be_within: int

    def share(self, part: int, whole: int) -> str:
        whole_share = whole_percent(part, whole)
        return "—" if whole_share is None else f"{whole_share}%"


def _running_clocks() -> list:
    """The leads with a running clock, with its list and start and the owner's name."""
    return db.session.execute(
        select(
            _LEADS.c.id,
            _LEADS.c.name,
            _LEADS.c.company,
            _LEADS.c.headcount,
            _LEADS.c.respond_by,
            _CLOCKS.c.list,
            _CLOCKS.c.started_at,
            _USERS.c.name.label("owner_name"),
            _USERS.c.email.label("owner_email"),
        )
        .join(_CLOCKS, (_CLOCKS.c.lead_id == _LEADS.c.id) & _CLOCKS.c.stopped_at.is_(None))
        .outerjoin(_USERS, _USERS.c.id == _LEADS.c.owner_id)
        .where(_LEADS.c.respond_by.is_not(None))
    ).all()


def _answered(targets: ResponseTargets, now: datetime) -> tuple[int, int, int, int]:
    """Of the clocks answered in the last HISTORY_DAYS days: how many, how
    many within their target, how many have a target in `targets` (by their
    list and size class), and how many within that."""
    typed = [
        (
            (_CLOCKS.c.list == list_name)
            & (_CLOCKS.c.size_class.is_(None) if size is None else _CLOCKS.c.size_class == size),
            target // timedelta(minutes=1),
        )
        for list_name in TARGET_LISTS
        for size in SIZE_CLASSES
        if (target := target_for(list_name, size, targets)) is not None
    ]
    typed_minutes = case(*typed, else_=null()) if typed else null()

    def within(limit):
        return func.coalesce(func.sum(case((_CLOCKS.c.response_minutes <= limit, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            func.count(),
            within(_CLOCKS.c.target_minutes),
            func.count(typed_minutes),
            within(typed_minutes),
        ).where(
            _CLOCKS.c.response_minutes.is_not(None),
            _CLOCKS.c.stopped_at >= now - timedelta(days=HISTORY_DAYS),
        )
    ).one()
    return tuple(int(value) for value in row)


def preview_of(targets: ResponseTargets, hours: BusinessHours, now: datetime) -> TargetsPreview:
    """What `targets` and `hours` would do to the running clocks, each
    recomputed from its start as saving does, and to the share of recent
    answers within target. Reads only; stores nothing."""
    due = []
    running = _running_clocks()
    for row in running:
        would = deadline(row.list, row.headcount, row.started_at, targets, hours)
        if would is None:
            continue
        owner = row.owner_name or row.owner_email
        due.append(
            DueLead(
                row.id,
                row.name,
                row.company,
                would.size_class,
                owner,
                row.respond_by,
                would.respond_by,
            )
        )
    due.sort(key=lambda lead: (lead.would_respond_by, lead.id))
    return TargetsPreview(
        len(running),
        sum(row.respond_by < now for row in running),
        sum(lead.would_respond_by < now for lead in due),
        len(running) - len(due),
        tuple(due[:SOONEST]),
        *_answered(targets, now),
    )


def defaults() -> dict[tuple[str, str | None], str]:
    """The contract's default per list and size class, as the page names it."""
    named = {}
    for list_name in TARGET_LISTS:
        for size in SIZE_CLASSES:
            target = DEFAULT_TARGETS.get(list_name, {}).get(size)
            if target is None:
                named[list_name, size] = _("default: none")
            else:
                named[list_name, size] = _("default: %(hours)s h", hours=hours_text(target))
    return named


def _render(
    form: TargetsForm,
    status: int = 200,
    preview: TargetsPreview | None = None,
    now: datetime | None = None,
):
    shown = {
        "form": form,
        "preview": preview,
        "now": now or utcnow(),
        "defaults": defaults(),
        "size_label": size_label,
        "weekday_names": WEEKDAY_NAMES,
        "target_lists": TARGET_LISTS,
        "zone": business_zone().key,
        "holidays": next_holidays(business_today(), page_locale(), HOLIDAYS_SHOWN),
        "soonest": SOONEST,
        "history_days": HISTORY_DAYS,
    }
    body = render_template(EDITOR if is_htmx() else PAGE, **shown)
    return vary_on_htmx(make_response(body, status))


@bp.get("/targets")
def targets():
    """The editor, filled in with the settings in force."""
    return _render(TargetsForm.for_settings(response_targets(), business_hours()))


@bp.post("/targets/preview")
def preview_targets():
    """What the typed settings would do to the leads waiting now; saves
    nothing. 422 when invalid."""
    form = TargetsForm()
    if not form.validate():
        return _render(form, 422)
    now = utcnow()
    return _render(form, preview=preview_of(form.targets, form.hours, now), now=now)


@bp.post("/targets", endpoint="save_targets")
def save():
    """Store the typed targets and hours, and recompute every running clock
    under them. Invalid input: 422 with the editor as typed, nothing stored."""
    form = TargetsForm()
    if not form.validate():
        return _render(form, 422)
    # The admin blueprint began this write transaction before the view.
    store_targets(form.targets, current_user.id)
    save_hours(form.hours, current_user.id)
    recomputed, removed = recompute_running_clocks(form.targets, form.hours)
    db.session.commit()
    message = ngettext(
        "Saved. %(num)d running clock follows the new targets.",
        "Saved. %(num)d running clocks follow the new targets.",
        recomputed,
    )
    if removed:
        message += " " + ngettext(
            "%(num)d lead no longer has a response clock: its size class has no target now.",
            "%(num)d leads no longer have a response clock: their size class has no target now.",
            removed,
        )
    flash(message, "info")
    return vary_on_htmx(redirect(url_for("admin.targets"), 303))
