"""`/admin/rules`: edit the qualification rules, preview their effect, save them.

The preview and a refused post answer htmx with the editor alone; without
JavaScript they render the whole page. Saving redirects back with a message.
Re-routing the existing leads runs a slice per request (`LEADS_REROUTE_SECONDS`,
default 10) until done; the page continues it by itself, or with a button.
"""

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import begin_write, db
from ..htmx import is_htmx, vary_on_htmx
from ..qualification import current_rules
from ..qualification import save_rules as store_rules
from ..rule_changes import (
    BATCH_SIZE,
    Rerouting,
    RulePreview,
    change_summary,
    continue_rerouting,
    describe_changes,
    moves_text,
    pending_rerouting,
    preview_change,
    start_rerouting,
)
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
    if is_htmx():
        body = render_template(EDITOR, form=form, preview=preview, changes=changes)
    else:
        body = render_template(
            PAGE,
            form=form,
            preview=preview,
            changes=changes,
            **_rerouting_context(pending_rerouting()),
        )
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


def rerouting_message(job: Rerouting | None) -> str:
    """What to tell the admin after a slice of re-routing."""
    if job is None:
        return "There is no re-routing to continue."
    moved = f"Moved: {moves_text(job.moves)}." if job.moves else "No lead changed list so far."
    if job.stopped:
        return (
            f"Re-routing stopped: the rules changed again before it finished. {moved} "
            "Save with re-routing to route the other leads by the rules in force."
        )
    if job.done:
        if not job.moves:
            return "Re-routed the existing leads: none changed list."
        return f"Re-routed the existing leads: {moves_text(job.moves)}."
    return f"Re-routing the existing leads: {job.checked:,} of about {job.total:,} checked. {moved}"


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
        message = f"Rules saved: {change_summary(changes)}."
    else:
        message = "The rules were already these; nothing to save."
    if form.apply.data == "reroute":
        start_rerouting(new, because=f"Rules changed: {change_summary(changes)}")
    db.session.commit()
    if form.apply.data == "reroute":
        message += " " + rerouting_message(_go_on_rerouting())
    elif changes:
        message += " They apply to new submissions."
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
