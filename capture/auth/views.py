"""`/login`, `/logout`, and `/account`: a person's name, the language of the
internal pages, their booking link and when they are away."""

import math
from datetime import datetime

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import check_password_hash

from ..access.lockout import count_attempt, forget_failures, record_failure
from ..access.roles import safe_next
from ..db.transactions import begin_write
from ..extensions import db, limiter
from ..leads.owners import business_today
from ..leads.taking_leads import (
    AbsenceForm,
    RemoveAbsenceForm,
    add_absence,
    day_words,
    moved_words,
    span_words,
    upcoming_absences,
)
from ..models import Absence, User
from . import bp
from .forms import AccountForm, LoginForm

# Checked even for unknown e-mails, so the answer takes as long either way.
_NO_SUCH_USER = "scrypt:32768:8:1$leadgate$" + "0" * 128


def _home_for(user: User) -> str:
    # Everyone starts the day on the leads; admins reach /admin from the menu.
    return url_for("sales.index")


def _renew_session() -> None:
    """Start a fresh session: nothing from before, such as a CSRF token taken
    before logging in or out, carries over."""
    session.clear()
    # The token this request already made, for the session just cleared.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def _login_page(form: LoginForm, status: int, message: str | None = None):
    if message:
        flash(message, "error")
    return render_template("auth/login.html", form=form), status


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return ngettext(
        "Too many failed attempts with this e-mail address. Try again in %(num)d minute, "
        "or ask an admin to lift the lock.",
        "Too many failed attempts with this e-mail address. Try again in %(num)d minutes, "
        "or ask an admin to lift the lock.",
        minutes,
    )


def _active_user_with(email: str, password: str) -> User | None:
    user = db.session.scalars(
        db.select(User).where(User.email == email.strip().lower())
    ).one_or_none()
    password_ok = check_password_hash(user.password_hash if user else _NO_SUCH_USER, password)
    return user if user and password_ok and user.active else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LEADS_LOGIN_LIMIT"], methods=["POST"])
def login():
    """Log in with e-mail and password, in a new session.

    Attempts are limited per client address (Flask-Limiter) and per e-mail
    address (counted in the database, see access/lockout.py; an attempt that cannot
    be counted is refused).
    """
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or _home_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, 422 if form.is_submitted() else 200)
    try:
        attempt = count_attempt(form.email.data)
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("login refused: the attempt could not be counted")
        return _login_page(
            form, 503, _("Logging in is not possible right now. Please try again in a few minutes.")
        )
    if attempt.refused:
        return _login_page(form, 429, _locked_message(attempt.locked_until, attempt.at))
    user = _active_user_with(form.email.data, form.password.data)
    if user is None:
        locked_until = record_failure(attempt)
        if locked_until:
            return _login_page(form, 429, _locked_message(locked_until, attempt.at))
        return _login_page(form, 422, _("That e-mail and password do not match an active account."))
    begin_write()
    forget_failures(form.email.data)
    db.session.commit()
    _renew_session()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    login_user(user)
    return redirect(safe_next(request.args.get("next")) or _home_for(user))


@bp.post("/logout")
def logout():
    """Log out, everywhere: a copied session cookie stops working too."""
    if current_user.is_authenticated:
        begin_write()
        user = db.session.get(User, current_user.id)
        user.end_sessions()
        db.session.commit()
    _renew_session()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


def _account_form(**kwargs) -> AccountForm:
    """The account form, showing what is saved where nothing was typed."""
    saved = {
        "name": current_user.name or "",
        "language": current_user.language or "",
        "booking_url": current_user.booking_url or "",
    }
    return AccountForm(data=saved, **kwargs)


def _account_page(
    form: AccountForm | None = None,
    absence_form: AbsenceForm | None = None,
    notice: str | None = None,
    status: int = 200,
):
    """The account page; a form that failed comes back with its messages."""
    page = render_template(
        "auth/account.html",
        form=form or _account_form(formdata=None),
        absence_form=absence_form or AbsenceForm(formdata=None),
        remove_form=RemoveAbsenceForm(formdata=None),
        absences=upcoming_absences([current_user.id]).get(current_user.id, []),
        day_words=day_words,
        today=business_today(),
        notice=notice,
    )
    return page, status


def _saved_to_account():
    return redirect(url_for("auth.account"), 303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Show and save the user's name, language and booking link; the page
    after saving is in the language chosen already."""
    form = _account_form()
    if form.validate_on_submit():
        begin_write()
        user = db.session.get(User, current_user.id)
        more_than_language = (user.name, user.booking_url) != (
            form.name.data or None,
            form.booking_url.data or None,
        )
        user.name = form.name.data or None
        user.booking_url = form.booking_url.data or None
        user.language = form.language.data or None
        db.session.commit()
        refresh()  # this request chose its language before the change
        flash(
            _("Your account is saved.") if more_than_language else _("Your language is saved."),
            "info",
        )
        return _saved_to_account()
    return _account_page(form=form, status=422 if form.is_submitted() else 200)


@bp.post("/account/absences")
@login_required
def add_own_absence():
    """Add an absence of one's own. One that covers today hands the person's
    opportunities still waiting for a first response to colleagues at once."""
    form = AbsenceForm()
    if not form.validate():
        return _account_page(absence_form=form, status=422)
    begin_write()
    absence, moved = add_absence(
        current_user.id, form.starts.data, form.ends.data, by=current_user.id
    )
    said = _("You are away %(when)s: you get no new leads then.", when=span_words(absence))
    db.session.commit()
    flash(" ".join(filter(None, (said, moved_words(moved)))), "info")
    return _saved_to_account()


@bp.post("/account/absences/<int:absence_id>/remove")
@login_required
def remove_own_absence(absence_id: int):
    """Remove an absence of one's own (someone else's is not there: 404).
    Leads already handed over at its start stay where they went."""
    begin_write()
    absence = db.session.get(Absence, absence_id)
    if absence is None or absence.user_id != current_user.id:
        abort(404)
    if not RemoveAbsenceForm().validate():
        db.session.rollback()
        return _account_page(notice=_("That did not work. Please try again."), status=422)
    said = _("Your absence %(when)s is removed.", when=span_words(absence))
    if absence.handed_over_at is not None:
        said += " " + _("The opportunities handed over when it started stay with your colleagues.")
    db.session.delete(absence)
    db.session.commit()
    flash(said, "info")
    return _saved_to_account()
