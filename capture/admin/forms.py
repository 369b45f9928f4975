"""`/admin/forms`: the site owner's forms and gates: list, create, edit, archive.

A form's slug is its public address, used by embedded widgets, hosted links
and QR codes. It is fixed once the form exists (its snippet may be on a page
or printed on a QR code before anyone fills it), so an edit never breaks a
widget that is already out there; archiving is the one deliberate way to take
a form down, and restoring brings it back at the same address.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..access.roles import safe_next
from ..extensions import db
from ..leads.embed_counts import WINDOW_DAYS, embedding_sites
from ..models import Form, Submission, utcnow
from . import bp
from .form_forms import AllowSiteForm, ArchiveForm, FormSettingsForm


def submission_counts() -> dict[int, int]:
    """Form id -> how many submissions it received."""
    rows = db.session.execute(
        db.select(Submission.form_id, db.func.count(Submission.id))
        .where(Submission.form_id.is_not(None))
        .group_by(Submission.form_id)
    )
    return dict(rows.all())


def _submissions_of(form: Form) -> int:
    return db.session.scalar(
        db.select(db.func.count(Submission.id)).where(Submission.form_id == form.id)
    )


def _edit_page(fields: FormSettingsForm, form: Form | None, status: int = 200, submissions=0):
    page = render_template(
        "admin/form_edit.html",
        fields=fields,
        form=form,
        submissions=submissions,
        sites=embedding_sites(form) if form else None,
        window_days=WINDOW_DAYS,
    )
    return page, status


def _saved(fields: FormSettingsForm) -> bool:
    """Commit; False (slug error set) when another admin took the slug meanwhile."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        fields.slug.errors.append(
            _(
                "The address %(slug)s is taken by another form. Choose another one.",
                slug=fields.slug.data,
            )
        )
        return False
    return True


def _flash_saved(form: Form, created: bool) -> None:
    if created:
        message = _(
            "Created “%(title)s”: its page is /f/%(slug)s.", title=form.title, slug=form.slug
        )
    else:
        message = _("Saved “%(title)s”: its page is /f/%(slug)s.", title=form.title, slug=form.slug)
    flash(message, "info")
    if form.kind == "gate" and form.ebook_id is None:
        flash(
            _(
                "This gate has no e-book yet: visitors get a thank-you but nothing to download. "
                "Upload one under E-books and choose it here."
            ),
            "warning",
        )


@bp.get("/forms")
def forms():
    listed = db.session.scalars(
        db.select(Form).order_by(Form.archived_at.is_not(None), Form.title, Form.id)
    ).all()
    return render_template(
        "admin/forms.html",
        forms=listed,
        counts=submission_counts(),
    )


@bp.route("/forms/new", methods=["GET", "POST"])
def new_form():
    """Show an empty form; create it from a valid post, else 422 with the input kept."""
    fields = FormSettingsForm()
    if not fields.is_submitted():
        return _edit_page(fields, None)
    if fields.validate():
        form = Form()
        fields.apply_to(form)
        db.session.add(form)
        if _saved(fields):
            _flash_saved(form, created=True)
            return redirect(url_for("admin.edit_form", form_id=form.id))
    return _edit_page(fields, None, 422)


@bp.route("/forms/<int:form_id>", methods=["GET", "POST"])
def edit_form(form_id: int):
    """Show a form's settings; save a valid post, else 422 with the input kept.

    The slug cannot change (see the module docstring).
    """
    form = db.get_or_404(Form, form_id)
    submissions = _submissions_of(form)
    fields = FormSettingsForm.for_form(form, fixed_slug=form.slug)
    if not fields.is_submitted():
        return _edit_page(fields, form, submissions=submissions)
    if fields.validate():
        fields.apply_to(form)
        if _saved(fields):
            _flash_saved(form, created=False)
            return redirect(url_for("admin.edit_form", form_id=form.id))
    return _edit_page(fields, form, 422, submissions)


@bp.post("/forms/<int:form_id>/allowed-sites")
def allow_site(form_id: int):
    """Add a site that was refused to the form's list (the button beside it on
    the form's page): from now on it may show the form."""
    form = db.get_or_404(Form, form_id)
    button = AllowSiteForm()
    if not button.validate():
        abort(400)
    if button.allowed not in form.allowed_origins:
        form.allowed_origins = [*form.allowed_origins, button.allowed]
    db.session.commit()
    flash(_("%(site)s may now show this form.", site=button.allowed), "info")
    return redirect(url_for("admin.edit_form", form_id=form.id, _anchor="embedding-card"), 303)


@bp.post("/forms/<int:form_id>/archive")
def archive_form(form_id: int):
    """Archive a live form (its page and widget answer 404), or restore an archived one.

    The button says which (`action`), so a double click does not undo itself;
    without it the state toggles.
    """
    form = db.get_or_404(Form, form_id)
    button = ArchiveForm()
    if not button.validate():
        abort(400)
    wanted = button.action.data or ("restore" if form.archived_at else "archive")
    if wanted == "archive":
        form.archived_at = form.archived_at or utcnow()
        message = _(
            "Archived “%(title)s”: /f/%(slug)s and its embedded widgets now show "
            "nothing. Restore it to bring them back.",
            title=form.title,
            slug=form.slug,
        )
    else:
        form.archived_at = None
        message = _(
            "Restored “%(title)s”: /f/%(slug)s is live again.", title=form.title, slug=form.slug
        )
    db.session.commit()
    flash(message, "info")
    return redirect(safe_next(button.next.data) or url_for("admin.forms"))
