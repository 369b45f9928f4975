"""`/admin/notifications`: what the outbox sent, what it is still trying, and
what failed, with a button to try a failed one again."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ..extensions import db
from ..models import Outbox, utcnow
from ..notifications.outbox import destinations
from . import bp

SHOWN = 100
# What the outbox's statuses read as on the page.
STATUS_WORDS = {
    "failed": _l("failed"),
    "sending": _l("sending"),
    "pending": _l("pending"),
    "delivered": _l("delivered"),
}


@bp.app_template_filter("outbox_status")
def status_word(status: str) -> str:
    return str(STATUS_WORDS[status]) if status in STATUS_WORDS else status


class RetryForm(FlaskForm):
    """A button: its CSRF token is the whole form."""


@bp.get("/notifications")
def notifications():
    """Failed first, then waiting, then the latest delivered."""
    order = db.case({"failed": 0, "sending": 1, "pending": 2}, value=Outbox.status, else_=3)
    rows = db.session.scalars(
        db.select(Outbox).order_by(order, Outbox.id.desc()).limit(SHOWN)
    ).all()
    counts = dict(
        db.session.execute(db.select(Outbox.status, db.func.count()).group_by(Outbox.status)).all()
    )
    return render_template(
        "admin/notifications.html",
        rows=rows,
        counts=counts,
        destinations=destinations(),
        retry_form=RetryForm(),
    )


@bp.post("/notifications/<int:outbox_id>/retry")
def retry_notification(outbox_id: int):
    """Put a failed notification back in line, with a fresh set of attempts."""
    form = RetryForm()
    if not form.validate():
        abort(400)
    row = db.get_or_404(Outbox, outbox_id)
    if row.status != "failed":
        db.session.rollback()
        flash(
            _(
                "Notification %(id)s is %(status)s, not failed: nothing to retry.",
                id=row.id,
                status=status_word(row.status),
            ),
            "info",
        )
    else:
        row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
        db.session.commit()
        flash(_("Notification %(id)s will be sent again in a moment.", id=row.id), "info")
    return redirect(url_for("admin.notifications"), 303)
