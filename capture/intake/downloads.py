"""The gate's reward: a signed, expiring download link for the e-book."""

from flask import abort, current_app, render_template, request, send_file, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..ebooks import ebook_path
from ..extensions import db
from ..models import Download, Lead, Submission, utcnow
from ..qualification import touch
from . import bp

DOWNLOAD_SALT = "leadgate.download"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DOWNLOAD_SALT)


def download_url(submission: Submission) -> str:
    """A link to the e-book of `submission`'s gate, valid for LEADS_DOWNLOAD_TTL seconds."""
    token = _serializer().dumps({"s": submission.id})
    return url_for("intake.download", token=token, _external=True)


def _expired_page(submission_id):
    submission = db.session.get(Submission, submission_id) if submission_id else None
    form_url = url_for("intake.show", slug=submission.form.slug) if submission else None
    return render_template("intake/link_expired.html", form_url=form_url), 410


@bp.get("/d/<token>")
def download(token: str):
    """Send the e-book: 404 for a link that was tampered with, 410 when expired."""
    try:
        payload = _serializer().loads(token, max_age=current_app.config["LEADS_DOWNLOAD_TTL"])
    except SignatureExpired as error:
        # The signature is genuine, only too old: the payload can be trusted.
        old = _serializer().load_payload(error.payload) if error.payload else {}
        return _expired_page(old.get("s") if isinstance(old, dict) else None)
    except BadSignature:
        abort(404)
    submission = db.session.get(Submission, payload.get("s")) if isinstance(payload, dict) else None
    ebook = submission.form.ebook if submission else None
    if ebook is None or not ebook_path(ebook).exists():
        abort(404)
    if request.range is None:
        # Count whole downloads, not the range requests of a PDF viewer.
        db.session.add(
            Download(lead_id=submission.lead_id, submission_id=submission.id, ebook_id=ebook.id)
        )
        touch(db.session.get(Lead, submission.lead_id), utcnow())
        db.session.commit()
    return send_file(
        ebook_path(ebook),
        mimetype=ebook.content_type,
        as_attachment=True,
        download_name=ebook.filename,
        conditional=True,
        etag=ebook.sha256,
        max_age=0,
    )
