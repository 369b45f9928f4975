"""`/login`, `/logout`, and `/account` (the language of the internal pages)."""

import math
from datetime import datetime

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import check_password_hash

from ..access.lockout import count_attempt, forget_failures, record_failure
from ..access.roles import safe_next
from ..db.transactions import begin_write
from ..extensions import db, limiter
from ..models import User
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


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Show and save the user's name and language; the page after saving is in
    the language chosen already."""
    form = AccountForm(
        data={"name": current_user.name or "", "language": current_user.language or ""}
    )
    if form.validate_on_submit():
        begin_write()
        user = db.session.get(User, current_user.id)
        renamed = user.name != (form.name.data or None)
        user.name = form.name.data or None
        user.language = form.language.data or None
        db.session.commit()
        refresh()  # this request chose its language before the change
        flash(_("Your account is saved.") if renamed else _("Your language is saved."), "info")
        return redirect(url_for("auth.account"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/account.html", form=form), status
