"""`/admin/users`: who can log in. Users are never deleted, only deactivated,
so the list changes and notes they made keep saying who made them.
"""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from ..access.lockout import forget_failures, locks_of
from ..access.roles import role_word
from ..domain.identity import email_key
from ..extensions import db
from ..models import User
from . import bp
from .user_forms import (
    ActiveForm,
    LiftLockForm,
    NameForm,
    NewUserForm,
    PasswordForm,
    taken_message,
)


def _page(
    new: NewUserForm | None = None,
    password_forms: dict[int, PasswordForm] | None = None,
    name_forms: dict[int, NameForm] | None = None,
    notice: str | None = None,
    status: int = 200,
):
    """The users page; a form that failed comes back with its messages."""
    users = db.session.scalars(db.select(User).order_by(User.active.desc(), User.email)).all()
    locks = locks_of(user.email for user in users)
    page = render_template(
        "admin/users.html",
        users=users,
        locked_until={user.id: locks.get(email_key(user.email)) for user in users},
        lift_form=LiftLockForm(formdata=None),
        new=new or NewUserForm(formdata=None),
        password_forms=password_forms or {},
        blank_password=PasswordForm(formdata=None),
        name_forms=name_forms or {},
        blank_name=NameForm(formdata=None),
        active_form=ActiveForm(formdata=None),
        notice=notice,
    )
    return page, status


@bp.get("/users")
def users():
    return _page()


@bp.post("/users")
def create_user():
    """Add a user with the password the admin typed; 422 with the input on a mistake."""
    form = NewUserForm()
    if not form.validate():
        return _page(new=form, status=422)
    user = User(
        email=form.email.data,
        name=form.name.data or None,
        role=form.role.data,
        password_hash=generate_password_hash(form.password.data),
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Someone added the same address a moment ago.
        db.session.rollback()
        existing = db.session.scalar(db.select(User).where(User.email == form.email.data))
        form.email.errors.append(taken_message(existing) if existing else _("Please try again."))
        return _page(new=form, status=422)
    flash(
        _(
            "%(email)s can log in now, as %(role)s. Give them the password in person "
            "or by phone, not in the same e-mail.",
            email=user.email,
            role=role_word(user.role),
        ),
        "info",
    )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/name")
def rename_user(user_id: int):
    """Set how colleagues see a user named; empty shows their e-mail."""
    user = db.get_or_404(User, user_id)
    form = NameForm()
    if not form.validate():
        return _page(name_forms={user.id: form}, status=422)
    user.name = form.name.data or None
    db.session.commit()
    flash(_("Saved the name of %(email)s.", email=user.email), "info")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    """Set a new password; the old one and the user's open sessions stop working at once."""
    user = db.get_or_404(User, user_id)
    form = PasswordForm()
    if not form.validate():
        return _page(password_forms={user.id: form}, status=422)
    user.password_hash = generate_password_hash(form.password.data)
    user.end_sessions()
    db.session.commit()
    flash(_("New password set for %(email)s.", email=user.email), "info")
    return redirect(url_for("admin.users"))


def refusal_to_deactivate(user: User, actor_id: int, other_active_admins: int) -> str | None:
    """Why `user` must stay active, or None: not yourself, not the last active admin."""
    if user.id == actor_id:
        return _("You cannot deactivate yourself. Ask another admin to do it.")
    if user.role == "admin" and user.active and other_active_admins == 0:
        return _(
            "%(email)s is the last active admin: someone must be able to manage Leadgate.",
            email=user.email,
        )
    return None


def _other_active_admins(user: User) -> int:
    # All active admins are locked, in one order: of two admins deactivating
    # each other at once, the second waits, then sees the first one's change.
    admins = db.session.scalars(
        db.select(User.id)
        .where(User.role == "admin", User.active)
        .order_by(User.id)
        .with_for_update()
    )
    return sum(1 for admin_id in admins if admin_id != user.id)


@bp.post("/users/<int:user_id>/active")
def toggle_user(user_id: int):
    """Deactivate (they can no longer log in, their history stays) or reactivate."""
    user = db.get_or_404(User, user_id)
    form = ActiveForm()
    if not form.validate():
        return _page(notice=_("That did not work. Please try again."), status=422)
    wanted = form.active.data == "yes"
    if not wanted:
        refusal = refusal_to_deactivate(user, current_user.id, _other_active_admins(user))
        if refusal:
            db.session.rollback()
            return _page(notice=refusal, status=422)
    if user.active != wanted:
        # Sessions from before a deactivation must not come back with the account.
        user.end_sessions()
    user.active = wanted
    db.session.commit()
    flash(
        _("%(email)s is active again.", email=user.email)
        if wanted
        else _("%(email)s is deactivated: they cannot log in.", email=user.email),
        "info",
    )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/lock")
def lift_lock(user_id: int):
    """Let a user locked out by failed logins try again at once (logged)."""
    user = db.get_or_404(User, user_id)
    if not LiftLockForm().validate():
        return _page(notice=_("That did not work. Please try again."), status=422)
    forget_failures(user.email)
    db.session.commit()
    current_app.logger.info("login lock of user %s lifted by user %s", user.id, current_user.id)
    flash(
        _("The login lock of %(email)s is lifted: they can log in again.", email=user.email), "info"
    )
    return redirect(url_for("admin.users"))
