"""`/login`, `/logout`, and `/account` (the language of the internal pages)."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from ..extensions import begin_write, db, limiter
from ..models import User
from . import bp
from .forms import AccountForm, LoginForm
from .roles import role_word, safe_next

bp.add_app_template_filter(role_word, "role_word")

# Checked even for unknown e-mails, so the answer takes as long either way.
_NO_SUCH_USER = "scrypt:32768:8:1$leadgate$" + "0" * 128


def _home_for(user: User) -> str:
    # Everyone starts the day on the leads; admins reach /admin from the menu.
    return url_for("sales.index")


def _login_email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LEADS_LOGIN_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LEADS_LOGIN_LIMIT"], methods=["POST"], key_func=_login_email_key
)
def login():
    """Log in with e-mail and password; attempts are rate-limited per address and e-mail."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or _home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(db.select(User).where(User.email == email)).one_or_none()
        password_ok = check_password_hash(
            user.password_hash if user else _NO_SUCH_USER, form.password.data
        )
        if user and password_ok and user.active:
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or _home_for(user))
        flash(_("That e-mail and password do not match an active account."), "error")
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Log out, everywhere: a copied session cookie stops working too."""
    if current_user.is_authenticated:
        begin_write()
        user = db.session.get(User, current_user.id)
        user.end_sessions()
        db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Show and save the user's language; the page after saving is in it already."""
    form = AccountForm(data={"language": current_user.language or ""})
    if form.validate_on_submit():
        begin_write()
        user = db.session.get(User, current_user.id)
        user.language = form.language.data or None
        db.session.commit()
        refresh()  # this request chose its language before the change
        flash(_("Your language is saved."), "info")
        return redirect(url_for("auth.account"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/account.html", form=form), status
