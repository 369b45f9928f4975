"""`/admin/rules`: edit the qualification rules, preview their effect, save them.

The preview and a refused post answer htmx with the editor alone; without
JavaScript they render the whole page. Saving redirects back with a message.
Re-routing the existing leads runs a slice per request (`LEADS_REROUTE_SECONDS`,
default 10) until done; the page continues it by itself, or with a button.
"""

from collections import Counter

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..db.transactions import begin_write
from ..domain.vocabulary import LISTS
from ..extensions import db
from ..leads.qualification import current_rules
from ..leads.qualification import save_rules as store_rules
from ..leads.rerouting import (
    BATCH_SIZE,
    Rerouting,
    RulePreview,
    change_summary,
    continue_rerouting,
    describe_changes,
    pending_rerouting,
    preview_change,
    start_rerouting,
)
from ..web.filters import list_word
from ..web.htmx import is_htmx, vary_on_htmx
from . import bp
from .rule_forms import ContinueReroutingForm, RulesForm

PAGE = "admin/rules.html"
EDITOR = "admin/_rules_editor.html"
REROUTING = "admin/_rules_rerouting.html"


def _render(
    form: RulesForm,
    status: int = 200,
    preview: RulePreview | None = None,
    changes: list[str] | None = None,
):
    shown = {"form": form, "preview": preview, "changes": changes}
    shown["sentences"] = preview_sentences(preview) if preview else []
    if is_htmx():
        body = render_template(EDITOR, **shown)
    else:
        body = render_template(PAGE, **shown, **_rerouting_context(pending_rerouting()))
    return vary_on_htmx(make_response(body, status))


def _go_on_rerouting() -> Rerouting | None:
    config = current_app.config
    return continue_rerouting(
        seconds=config.get("LEADS_REROUTE_SECONDS", 10),
        batch_size=config.get("LEADS_REROUTE_BATCH", BATCH_SIZE),
    )


def _rerouting_context(job: Rerouting | None) -> dict:
    return {
        "rerouting": job,
        "rerouting_message": rerouting_message(job),
        "continue_form": ContinueReroutingForm(formdata=None),
    }


def _in_list_order(moves: Counter) -> list[tuple[tuple[str, str], int]]:
    return sorted(
        moves.items(), key=lambda item: (LISTS.index(item[0][0]), LISTS.index(item[0][1]))
    )


def moves_text(moves: Counter) -> str:
    """E.g. `4 nurture → disqualified, 1 nurture → opportunity`, in the page's language."""
    return ", ".join(
        f"{count} {list_word(from_list)} → {list_word(to_list)}"
        for (from_list, to_list), count in _in_list_order(moves)
    )


def preview_sentences(preview: RulePreview) -> list[str]:
    """E.g. `12 nurture leads would become opportunities`, one per move."""
    sentences = []
    for (from_list, to_list), count in preview.sorted_moves():
        shown = list_word(from_list)
        if to_list == "opportunity":
            sentence = ngettext(
                "%(num)d %(list)s lead would become an opportunity",
                "%(num)d %(list)s leads would become opportunities",
                count,
                list=shown,
            )
        elif to_list == "nurture":
            sentence = ngettext(
                "%(num)d %(list)s lead would move to nurture",
                "%(num)d %(list)s leads would move to nurture",
                count,
                list=shown,
            )
        else:
            sentence = ngettext(
                "%(num)d %(list)s lead would be disqualified",
                "%(num)d %(list)s leads would be disqualified",
                count,
                list=shown,
            )
        sentences.append(sentence)
    return sentences


def rerouting_message(job: Rerouting | None) -> str:
    """What to tell the admin after a slice of re-routing."""
    if job is None:
        return _("There is no re-routing to continue.")
    if job.moves:
        moved = _("Moved: %(moves)s.", moves=moves_text(job.moves))
    else:
        moved = _("No lead changed list so far.")
    if job.stopped:
        return _(
            "Re-routing stopped: the rules changed again before it finished. %(moved)s "
            "Save with re-routing to route the other leads by the rules in force.",
            moved=moved,
        )
    if job.done:
        if not job.moves:
            return _("Re-routed the existing leads: none changed list.")
        return _("Re-routed the existing leads: %(moves)s.", moves=moves_text(job.moves))
    return _(
        "Re-routing the existing leads: %(checked)s of about %(total)s checked. %(moved)s",
        checked=f"{job.checked:,}",
        total=f"{job.total:,}",
        moved=moved,
    )


@bp.get("/rules")
def rules():
    """The editor, filled in with the rules in force."""
    return _render(RulesForm.for_rules(current_rules()))


@bp.post("/rules/preview")
def preview_rules():
    """Count which leads the posted rules would move; saves nothing. 422 when invalid."""
    form = RulesForm()
    if not form.validate():
        return _render(form, 422)
    old = current_rules()
    new = form.to_rules(old)
    return _render(form, preview=preview_change(old, new), changes=describe_changes(old, new))


@bp.post("/rules", endpoint="save_rules")
def save():
    """Store the posted rules; with `apply=reroute`, route the unpinned leads again.

    Invalid input: 422 with the editor as typed. Each re-route is logged as
    made by the rules, the change summary in front of its reason.
    """
    form = RulesForm()
    if not form.validate():
        return _render(form, 422)
    old, user_id = current_rules(), current_user.id
    new = form.to_rules(old)
    changes = describe_changes(old, new)
    begin_write()
    if changes:
        store_rules(new, user_id)
        message = _("Rules saved: %(changes)s.", changes=change_summary(changes))
    else:
        message = _("The rules were already these; nothing to save.")
    if form.apply.data == "reroute":
        start_rerouting(new, because=f"Rules changed: {change_summary(changes)}")
    db.session.commit()
    if form.apply.data == "reroute":
        message += " " + rerouting_message(_go_on_rerouting())
    elif changes:
        message += " " + _("They apply to new submissions.")
    flash(message, "info")
    return vary_on_htmx(redirect(url_for("admin.rules"), 303))


@bp.post("/rules/reroute", endpoint="continue_rerouting")
def continue_rerouting_view():
    """Re-route the next slice of leads; htmx gets the progress card, else a redirect."""
    if not ContinueReroutingForm().validate():
        abort(400)
    job = _go_on_rerouting()
    if is_htmx():
        return vary_on_htmx(make_response(render_template(REROUTING, **_rerouting_context(job))))
    flash(rerouting_message(job), "info")
    return vary_on_htmx(redirect(url_for("admin.rules"), 303))
