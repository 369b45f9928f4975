"""A person's rights from the lead page: export everything as JSON, or erase it (admin)."""

import json

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ..extensions import db
from ..leads.privacy import erase_by_request, person_export
from ..models import Lead
from . import bp


class EraseForm(FlaskForm):
    understood = BooleanField(
        _l(
            "I understand that this person's details, answers, notes and history are deleted "
            "for good"
        ),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


@bp.get("/leads/<int:lead_id>/export.json")
def export_lead(lead_id: int):
    lead = db.session.get(Lead, lead_id) or abort(404)
    body = json.dumps(person_export(lead), indent=2, ensure_ascii=False)
    response = make_response(body)
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = f'attachment; filename="lead-{lead_id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/leads/<int:lead_id>/erase", methods=["GET", "POST"])
def erase_lead(lead_id: int):
    lead = db.session.get(Lead, lead_id) or abort(404)
    form = EraseForm()
    if form.validate_on_submit():
        erasure = erase_by_request(lead_id, current_user.id)
        if erasure is not None:
            flash(
                _(
                    "Erased, with %(submissions)s submissions and %(notes)s notes. "
                    "The insights still count the lead, anonymously.",
                    submissions=erasure.submissions,
                    notes=erasure.notes,
                ),
                "success",
            )
        return redirect(url_for("sales.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/erase_lead.html", lead=lead, form=form), status
