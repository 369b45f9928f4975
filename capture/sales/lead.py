"""A lead's page `/sales/leads/<id>` and its actions: move, contacted, outcome,
note, giving it to another owner, and checking a returning lead's changed answers.

A plain post redirects back to the page with a flash message; an htmx post
gets only the part it changed. Invalid input: 422, as typed, with the error.
"""

from datetime import datetime

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db.transactions import begin_write
from ..extensions import db
from ..leads.clocks import clock_after_move, stop_clock, store_clock
from ..leads.hidden_fields import labelled, labels_of_forms
from ..leads.owners import business_today, owner_for_opportunity, people, reassign
from ..leads.qualification import current_rules, requalify
from ..leads.recording import locked_lead
from ..models import Lead, ListChange, Note, User, utcnow
from ..notifications.outbox import announce_routing
from ..web.filters import list_word, local, outcome_word
from ..web.htmx import is_htmx, vary_on_htmx
from . import bp
from .lead_forms import (
    ChangedAnswersForm,
    ContactedForm,
    MoveForm,
    NoteForm,
    OutcomeForm,
    ReassignForm,
)

PAGE = "sales/lead.html"
# Status, actions and the list-change and owner logs: what move, contacted,
# outcome and reassign change.
PANEL = "sales/_lead_panel.html"
NOTES = "sales/_lead_notes.html"


def _blank_forms(lead: Lead) -> dict:
    # formdata=None: a post to one action must not fill in the others.
    reasons = current_rules().disqualification_reasons
    return {
        "move_form": MoveForm(reasons, formdata=None, to_list=lead.list),
        "contacted_form": ContactedForm(formdata=None),
        "outcome_form": OutcomeForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "answers_form": ChangedAnswersForm(formdata=None),
        "reassign_form": ReassignForm(people(), business_today(), formdata=None),
    }


def _host_page_values(lead: Lead) -> dict:
    """The values host pages passed (hidden fields), labelled by the forms
    that declared them: the lead's latest per name, and each submission's."""
    submissions = lead.submissions
    newest_forms = [s.form for s in reversed(submissions) if s.form is not None]
    return {
        "lead_fields": labelled(lead.fields, labels_of_forms(newest_forms)),
        "submission_fields": {
            s.id: labelled(s.fields, s.form.hidden_fields if s.form else ()) for s in submissions
        },
    }


def _render(template: str, lead: Lead, message: str | None = None, status: int = 200, **forms):
    context = {"lead": lead, "now": utcnow(), "message": message}
    if template == PAGE:
        context |= _host_page_values(lead)
    body = render_template(template, **context, **{**_blank_forms(lead), **forms})
    return vary_on_htmx(make_response(body, status))


def _done(lead: Lead, partial: str, message: str):
    """After a write: the changed partial for htmx, else back to the page."""
    if is_htmx():
        return _render(partial, lead, message)
    flash(message, "info")
    return vary_on_htmx(redirect(url_for("sales.lead", lead_id=lead.id), 303))


def _refused(lead: Lead, partial: str, **forms):
    """Invalid input: 422 with the form as typed, as a partial or the whole page."""
    return _render(partial if is_htmx() else PAGE, lead, status=422, **forms)


def _locked(lead_id: int) -> Lead:
    """The lead, locked for a write transaction; 404 when it is gone.

    begin_write first, so SQLite takes its write lock before the read.
    """
    begin_write()
    lead = locked_lead(Lead.id == lead_id)
    if lead is None:
        db.session.rollback()
        abort(404)
    return lead


@bp.get("/leads/<int:lead_id>", endpoint="lead")
def show_lead(lead_id: int):
    """Everything about one lead: contact, answers, score, history, log, notes."""
    return _render(PAGE, db.get_or_404(Lead, lead_id))


@bp.post("/leads/<int:lead_id>/move")
def move_lead(lead_id: int):
    """Put the lead on the chosen list and pin it there, logged with who and why.

    A pinned lead keeps its list when it submits again (only its score
    follows). Choosing the list it is already on pins it with the new reason,
    and that is logged too (from and to the same list), so no reason changes
    without a name next to it; posting exactly the current, pinned list and
    reason again changes and logs nothing.
    """
    lead = db.get_or_404(Lead, lead_id)
    form = MoveForm(current_rules().disqualification_reasons)
    if not form.validate():
        return _refused(lead, PANEL, move_form=form)
    to_list, reason, user_id = form.to_list.data, form.chosen_reason, current_user.id
    lead = _locked(lead_id)
    was_opportunity, before = lead.list == "opportunity", lead.list
    shown = list_word(to_list)
    if (lead.list, lead.reason, lead.pinned) == (to_list, reason, True):
        message = _("Already pinned to %(list)s for that reason.", list=shown)
    else:
        message = (
            _("Kept on %(list)s and pinned.", list=shown)
            if lead.list == to_list
            else _("Moved to %(list)s.", list=shown)
        )
        db.session.add(
            ListChange(
                lead_id=lead.id,
                from_list=lead.list,
                to_list=to_list,
                reason=reason,
                user_id=user_id,
            )
        )
        lead.list, lead.reason, lead.pinned = to_list, reason, True
        store_clock(lead, clock_after_move(lead, before, utcnow()))
        owner_for_opportunity(lead, was_opportunity, by=user_id)
    db.session.commit()
    return _done(lead, PANEL, message)


@bp.post("/leads/<int:lead_id>/contacted")
def mark_contacted(lead_id: int):
    """Record the first response, and stop the running response clock; later
    clicks keep the first time (a clock started by a later entry into the
    opportunities is stopped by the next click)."""
    lead = db.get_or_404(Lead, lead_id)
    form = ContactedForm()
    if not form.validate():
        return _refused(lead, PANEL, contacted_form=form)
    lead = _locked(lead_id)
    now, first = utcnow(), lead.first_response_at is None
    if first:
        lead.first_response_at = now
    if stop_clock(lead, "contacted", now) or first:
        message = _("Marked contacted.")
    else:
        message = _("Already contacted on %(moment)s.", moment=local(lead.first_response_at))
    db.session.commit()
    return _done(lead, PANEL, message)


@bp.post("/leads/<int:lead_id>/outcome")
def set_outcome(lead_id: int):
    """Mark an opportunity won or lost; any other list is refused with 422."""
    lead = db.get_or_404(Lead, lead_id)
    form = OutcomeForm()
    if not form.validate():
        return _refused(lead, PANEL, outcome_form=form)
    lead = _locked(lead_id)
    if lead.list != "opportunity":
        db.session.rollback()
        form.outcome.errors.append(
            _(
                "Only an opportunity can be won or lost; this lead is on %(list)s. "
                "Move it to opportunity first.",
                list=list_word(lead.list),
            )
        )
        return _refused(lead, PANEL, outcome_form=form)
    if lead.outcome == form.outcome.data:
        message = _("Already marked %(outcome)s.", outcome=outcome_word(lead.outcome))
    else:
        lead.outcome, lead.outcome_at = form.outcome.data, utcnow()
        stop_clock(lead, lead.outcome, lead.outcome_at)
        message = _("Marked %(outcome)s.", outcome=outcome_word(lead.outcome))
    db.session.commit()
    return _done(lead, PANEL, message)


@bp.post("/leads/<int:lead_id>/notes")
def add_note(lead_id: int):
    """Add a note signed by the current user."""
    lead = db.get_or_404(Lead, lead_id)
    form = NoteForm()
    if not form.validate():
        return _refused(lead, NOTES, note_form=form)
    body, user_id = form.body.data.strip(), current_user.id
    lead = _locked(lead_id)
    db.session.add(Note(lead_id=lead.id, user_id=user_id, body=body))
    db.session.commit()
    return _done(lead, NOTES, _("Note added."))


def _hold_person(user_id: int) -> None:
    """Share-lock the person's row until commit: deactivating them (an
    UPDATE, then their leads handed over) waits for this lead to be theirs,
    or this waits and finds them deactivated. SQLite's write lock does it
    already."""
    db.session.execute(db.select(User.id).where(User.id == user_id).with_for_update(read=True))


@bp.post("/leads/<int:lead_id>/owner")
def reassign_lead(lead_id: int):
    """Give the lead to another person who takes leads, with a reason:
    logged (who, from, to, why, when) and the new owner told.

    Refused with 422, nothing stored, for someone who does not take leads or
    is away today; the person who has it already: said so, nothing logged.
    """
    lead = db.get_or_404(Lead, lead_id)
    form = ReassignForm(people(), business_today())
    if not form.validate():
        return _refused(lead, PANEL, reassign_form=form)
    to_id, why, user_id = form.chosen_id, form.why.data.strip(), current_user.id
    begin_write()
    # The person before the lead: the order a deactivation locks them in.
    _hold_person(to_id)
    lead = locked_lead(Lead.id == lead_id)
    if lead is None:
        db.session.rollback()
        abort(404)
    if lead.list == "disqualified":
        db.session.rollback()
        refusal = _("A disqualified lead has no owner: move it to a list first.")
        return _render(PANEL if is_htmx() else PAGE, lead, refusal, status=422)
    if lead.owner_id == to_id:
        message = _("%(name)s has this lead already.", name=lead.owner.display_name)
        db.session.rollback()
        return _done(lead, PANEL, message)
    person = form.available_person(people(form.today))
    if person is None:
        db.session.rollback()
        return _refused(lead, PANEL, reassign_form=form)
    reassign(lead, to_id, why, by=user_id)
    db.session.commit()
    return _done(lead, PANEL, _("Given to %(name)s.", name=person.name))


# Stored as the reason of a list change the accepted answers cause: not translated.
ANSWERS_ACCEPTED = "Changed answers accepted"


def _answers_note(lead: Lead, accepted: bool) -> str:
    changes = "; ".join(
        f"{name}: {getattr(lead, name) or '-'} → {value}"
        for name, value in sorted(lead.changed_answers.items())
    )
    if accepted:
        return _("Accepted the changed answers: %(changes)s", changes=changes)
    return _("Kept the stored answers; set aside: %(changes)s", changes=changes)


def _moment(raw: str | None) -> datetime | None:
    """An aware moment from an ISO 8601 string, else None."""
    try:
        moment = datetime.fromisoformat(raw or "")
    except ValueError:
        return None
    return moment if moment.tzinfo else None


@bp.post("/leads/<int:lead_id>/answers")
def check_answers(lead_id: int):
    """Accept a returning lead's changed answers (and route it again), or keep
    the stored ones; either way the flag goes and a note says who did what.

    Refused with 422 when newer answers came in after the page was opened.
    """
    lead = db.get_or_404(Lead, lead_id)
    form = ChangedAnswersForm()
    if not form.validate():
        return _refused(lead, PAGE, answers_form=form)
    accept, user_id = form.decision.data == "accept", current_user.id
    lead = _locked(lead_id)
    if not lead.changed_answers:
        db.session.rollback()
        return _done(lead, PANEL, _("These answers were checked already."))
    if _moment(form.seen.data) != lead.answers_changed_at:
        db.session.rollback()
        form.seen.errors.append(_("Newer answers came in since you opened this page: check them."))
        return _refused(lead, PAGE, answers_form=form)
    db.session.add(Note(lead_id=lead.id, user_id=user_id, body=_answers_note(lead, accept)))
    if accept:
        was_opportunity, before = lead.list == "opportunity", lead.list
        for name, value in lead.changed_answers.items():
            setattr(lead, name, value)
        requalify(lead, current_rules(), user_id=user_id, because=ANSWERS_ACCEPTED)
        store_clock(lead, clock_after_move(lead, before, utcnow()))
        owner_for_opportunity(lead, was_opportunity, by=user_id)
        announce_routing(lead, was_opportunity, new_lead=False)
    lead.changed_answers = lead.answers_changed_at = None
    db.session.commit()
    message = (
        _("New answers accepted: the lead is now on %(list)s.", list=list_word(lead.list))
        if accept
        else _("Stored answers kept.")
    )
    flash(message, "info")
    return vary_on_htmx(redirect(url_for("sales.lead", lead_id=lead.id), 303))
