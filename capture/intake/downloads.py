"""The gate's reward: a signed, expiring download link for the e-book."""

from datetime import timedelta

from flask import abort, current_app, render_template, request, send_file, url_for
from itsdangerous import BadSignature, SignatureExpired

from ..db.transactions import begin_write
from ..extensions import db
from ..leads.ebooks import ebook_path
from ..leads.funnel_counts import count_form_event
from ..leads.qualification import touch
from ..leads.recording import locked_lead
from ..models import Download, Lead, Submission, utcnow
from ..web.base_url import absolute_url
from . import bp
from .tokens import serializer_for

DOWNLOAD_SALT = "leadgate.download"


def download_url(submission: Submission) -> str:
    """A link to the e-book of `submission`'s gate, valid for LEADS_DOWNLOAD_TTL seconds."""
    token = serializer_for(DOWNLOAD_SALT).dumps({"s": submission.id})
    return absolute_url("intake.download", token=token)


def _record_download(submission: Submission, ebook_id: int) -> None:
    """Log the download; the funnel counts only a submission's first one."""
    submission_id, lead_id, form_id = submission.id, submission.lead_id, submission.form_id
    begin_write()
    # The submission's row lock makes two simultaneous first downloads count once.
    db.session.execute(
        db.select(Submission.id).where(Submission.id == submission_id).with_for_update()
    )
    earlier = db.session.scalar(
        db.select(Download.id).where(Download.submission_id == submission_id).limit(1)
    )
    db.session.add(Download(lead_id=lead_id, submission_id=submission_id, ebook_id=ebook_id))
    touch(locked_lead(Lead.id == lead_id), utcnow())
    if earlier is None:
        count_form_event(form_id, "download")
    db.session.commit()


def _expired_page(submission_id):
    submission = db.session.get(Submission, submission_id) if submission_id else None
    form_url = url_for("intake.show", slug=submission.form.slug) if submission else None
    return render_template("intake/link_expired.html", form_url=form_url), 410


@bp.get("/d/<token>")
def download(token: str):
    """Send the e-book: 404 for a link that was tampered with, 410 when expired."""
    try:
        payload = serializer_for(DOWNLOAD_SALT).loads(
            token, max_age=current_app.config["LEADS_DOWNLOAD_TTL"]
        )
    except SignatureExpired as error:
        # The signature is genuine, only too old: the payload can be trusted.
        old = serializer_for(DOWNLOAD_SALT).load_payload(error.payload) if error.payload else {}
        return _expired_page(old.get("s") if isinstance(old, dict) else None)
    except BadSignature:
        abort(404)
    submission = db.session.get(Submission, payload.get("s")) if isinstance(payload, dict) else None
    ebook = submission.form.ebook if submission else None
    if ebook is None or not ebook_path(ebook).exists():
        abort(404)
    # A link shown again later (a re-sent form) is still bound to the time
    # the visitor earned it.
    lifetime = timedelta(seconds=current_app.config["LEADS_DOWNLOAD_TTL"])
    if submission.completed_at is None or utcnow() - submission.completed_at > lifetime:
        return _expired_page(submission.id)
    if request.method == "GET" and request.range is None and not request.if_none_match:
        # Count whole downloads, not a PDF viewer's range requests, revalidations
        # or the HEAD requests of link checkers and mail scanners.
        _record_download(submission, ebook.id)
    return send_file(
        ebook_path(ebook),
        mimetype=ebook.content_type,
        as_attachment=True,
        download_name=ebook.filename,
        conditional=True,
        etag=ebook.sha256,
        max_age=0,
    )
