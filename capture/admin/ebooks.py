"""`/admin/ebooks`: the e-book files behind the gates: upload, replace, downloads.

Files are checked by content (see `uploads.py`) and stored by content hash.
Replacing keeps the e-book's row, so the gates offering it serve the new
file at once and its download count carries on.
"""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import csrf, db
from ..leads.ebooks import store_ebook
from ..models import Download, Ebook, Form
from ..web.input_guard import refuse_nul_in_form
from . import bp, takes_body_up_to
from .form_forms import EbookFileForm, ReplaceEbookForm, UploadEbookForm
from .uploads import download_name, human_size

# Room for the multipart headers, the title and the CSRF token beside the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def _ebook_request_limit() -> int:
    """The body limit of an upload: the e-book limit, not the app-wide 1 MB.

    It must be set before anything reads the body (posts_write reads it
    before taking the write lock), hence the views below skip the app-wide
    CSRF check (it reads the body first) and let their FlaskForm check the
    token instead.
    """
    return current_app.config["LEADS_EBOOK_MAX_BYTES"] + FORM_OVERHEAD_BYTES


def _read_upload(form_class: type[EbookFileForm]) -> tuple[EbookFileForm, int | None]:
    """The posted form and, when it is not fit to store, the status to answer with.

    A request over the limit is not read at all: an empty form says so (413).
    """
    try:
        form = form_class()
        refuse_nul_in_form()  # only now: the body is read within the e-book limit
    except RequestEntityTooLarge:
        form = form_class(formdata=None)
        limit = human_size(current_app.config["LEADS_EBOOK_MAX_BYTES"])
        form.file.errors = [
            _("The file is too large: e-books may be at most %(limit)s.", limit=limit)
        ]
        return form, 413
    return form, None if form.validate() else 422


def _ebooks_page(upload: UploadEbookForm, status: int = 200, replacing=None):
    """The list with the upload form; `replacing` is (ebook id, its failed form)."""
    ebooks = db.session.scalars(db.select(Ebook).order_by(Ebook.title, Ebook.id)).all()
    used_by: dict[int, list[Form]] = {}
    for form in db.session.scalars(
        db.select(Form).where(Form.ebook_id.is_not(None)).order_by(Form.title)
    ):
        used_by.setdefault(form.ebook_id, []).append(form)
    downloads = dict(
        db.session.execute(
            db.select(Download.ebook_id, db.func.count(Download.id)).group_by(Download.ebook_id)
        ).all()
    )
    page = render_template(
        "admin/ebooks.html",
        ebooks=ebooks,
        used_by=used_by,
        downloads=downloads,
        upload=upload,
        replacing=replacing or (None, None),
        limit=current_app.config["LEADS_EBOOK_MAX_BYTES"],
        human_size=human_size,
    )
    return page, status


@bp.get("/ebooks")
def ebooks():
    return _ebooks_page(UploadEbookForm(formdata=None))


@bp.post("/ebooks")
@csrf.exempt
@takes_body_up_to(_ebook_request_limit)
def upload_ebook():
    """Store a valid upload and list it; else the page again with per-field messages."""
    upload, problem = _read_upload(UploadEbookForm)
    if problem:
        return _ebooks_page(upload, problem)
    kind = upload.kind
    ebook = store_ebook(
        upload.title.data,
        download_name(upload.file.data.filename, kind),
        kind.content_type,
        upload.content,
    )
    db.session.commit()
    flash(
        _(
            "Uploaded “%(title)s” (%(kind)s, %(size)s). Choose it on a gate to offer it.",
            title=ebook.title,
            kind=kind.label,
            size=human_size(ebook.size),
        ),
        "info",
    )
    return redirect(url_for("admin.ebooks"))


@bp.post("/ebooks/<int:ebook_id>/replace")
@csrf.exempt
@takes_body_up_to(_ebook_request_limit)
def replace_ebook(ebook_id: int):
    """New content for the same e-book row: its gates and download count stay."""
    ebook = db.get_or_404(Ebook, ebook_id)
    replacement, problem = _read_upload(ReplaceEbookForm)
    if problem:
        return _ebooks_page(UploadEbookForm(formdata=None), problem, (ebook.id, replacement))
    kind = replacement.kind
    stored = store_ebook(
        ebook.title,
        download_name(replacement.file.data.filename, kind),
        kind.content_type,
        replacement.content,
    )
    # Only the file is wanted from store_ebook: this row keeps its id, its
    # gates and its downloads. The old file stays (content-addressed, maybe shared).
    db.session.expunge(stored)
    ebook.filename, ebook.content_type = stored.filename, stored.content_type
    ebook.sha256, ebook.size = stored.sha256, stored.size
    db.session.commit()
    flash(
        _(
            "Replaced the file of “%(title)s”: now %(filename)s (%(kind)s, %(size)s). "
            "Its gates serve the new file from now on.",
            title=ebook.title,
            filename=ebook.filename,
            kind=kind.label,
            size=human_size(ebook.size),
        ),
        "info",
    )
    return redirect(url_for("admin.ebooks"))
