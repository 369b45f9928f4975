"""`/admin/users`: who can log in, and who takes leads. Users are never
deleted, only deactivated, so the list changes and notes they made keep
saying who made them; deactivating hands their opportunities still waiting
for a first response to colleagues.
"""

from dataclasses import dataclass
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from ..access.lockout import forget_failures, locks_of
from ..access.roles import role_word
from ..domain.identity import email_key
from ..extensions import db
from ..leads.owners import DEACTIVATED, business_today, hand_over, people
from ..leads.taking_leads import (
    AbsenceForm,
    RemoveAbsenceForm,
    add_absence,
    away_until,
    day_words,
    moved_words,
    span_words,
    upcoming_absences,
)
from ..models import Absence, User
from . import bp
from .user_forms import (
    TAKES_LEADS_VALUES,
    ActiveForm,
    BookingLinkForm,
    LiftLockForm,
    NameForm,
    NewUserForm,
    PasswordForm,
    TakesLeadsForm,
    WeightForm,
    taken_message,
    takes_leads_choice,
)


@dataclass
class TakingLeads:
    """One person's row of "Who takes leads": the state now and its forms."""

    user: User
    takes_leads: bool  # by the switch and the roles, absences aside
    away_until: date | None
    absences: list[Absence]
    weight: WeightForm
    booking: BookingLinkForm
    absence: AbsenceForm
    switch: TakesLeadsForm | None  # admins only


def _taking_leads(users: list[User], failed: tuple[int, object] | None) -> list[TakingLeads]:
    """The rows of "Who takes leads", active people first; `failed` is a
    person's form that came back with its messages (user id, form)."""
    taking = {person.id for person in people() if person.takes_leads}
    upcoming = upcoming_absences()
    failed_id, failed_form = failed or (None, None)

    def form_of(user: User, kind, **saved):
        if user.id == failed_id and isinstance(failed_form, kind):
            return failed_form
        return kind(formdata=None, data=saved)

    return [
        TakingLeads(
            user=user,
            takes_leads=user.id in taking,
            away_until=away_until(upcoming.get(user.id, [])),
            absences=upcoming.get(user.id, []),
            weight=form_of(user, WeightForm, weight=user.weight),
            booking=form_of(user, BookingLinkForm, booking_url=user.booking_url or ""),
            absence=form_of(user, AbsenceForm),
            switch=form_of(user, TakesLeadsForm, takes_leads=takes_leads_choice(user.takes_leads))
            if user.role == "admin"
            else None,
        )
        for user in users
    ]


def _page(
    new: NewUserForm | None = None,
    password_forms: dict[int, PasswordForm] | None = None,
    name_forms: dict[int, NameForm] | None = None,
    taking: tuple[int, object] | None = None,
    notice: str | None = None,
    status: int = 200,
):
    """The users page; a form that failed comes back with its messages
    (`taking`: a form of "Who takes leads", with the id of its user)."""
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
        taking=_taking_leads(users, taking),
        remove_absence=RemoveAbsenceForm(formdata=None),
        day_words=day_words,
        today=business_today(),
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
    moved = 0
    if not wanted:
        # Stored first: with the last sales user gone, the admins may take over.
        db.session.flush()
        moved = hand_over(user.id, DEACTIVATED, by=current_user.id)
    db.session.commit()
    if wanted:
        said = _("%(email)s is active again.", email=user.email)
    else:
        said = _("%(email)s is deactivated: they cannot log in.", email=user.email)
        said = " ".join(filter(None, (said, moved_words(moved))))
    flash(said, "info")
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


# Who takes leads


def _back_to(user: User):
    return redirect(url_for("admin.users", _anchor=f"taking-{user.id}"))


def _taking_now(user: User) -> str:
    """Whether `user` takes leads now, in words, after a change (flushed)."""
    db.session.flush()
    if any(person.id == user.id and person.takes_leads for person in people()):
        return _("%(name)s takes leads.", name=user.display_name)
    return _("%(name)s takes no leads.", name=user.display_name)


@bp.post("/users/<int:user_id>/takes-leads")
def switch_taking_leads(user_id: int):
    """An admin's switch: takes leads, takes none, or the default (only
    while no sales user is active). Sales users always take leads."""
    user = db.get_or_404(User, user_id)
    form = TakesLeadsForm()
    if user.role != "admin":
        notice = _(
            "%(name)s is a sales user: they take leads while active.", name=user.display_name
        )
        return _page(notice=notice, status=422)
    if not form.validate():
        return _page(taking=(user.id, form), status=422)
    user.takes_leads = TAKES_LEADS_VALUES[form.takes_leads.data]
    said = _taking_now(user)
    db.session.commit()
    flash(said, "info")
    return _back_to(user)


@bp.post("/users/<int:user_id>/weight")
def set_weight(user_id: int):
    """A person's share of the round robin's turns (a part-timer 1, others 2)."""
    user = db.get_or_404(User, user_id)
    form = WeightForm()
    if not form.validate():
        return _page(taking=(user.id, form), status=422)
    user.weight = form.weight.data
    db.session.commit()
    flash(
        _("The weight of %(name)s is %(weight)s.", name=user.display_name, weight=user.weight),
        "info",
    )
    return _back_to(user)


@bp.post("/users/<int:user_id>/booking-link")
def set_booking_link(user_id: int):
    """A person's own booking link; empty: the form's booking link is offered."""
    user = db.get_or_404(User, user_id)
    form = BookingLinkForm()
    if not form.validate():
        return _page(taking=(user.id, form), status=422)
    user.booking_url = form.booking_url.data or None
    db.session.commit()
    flash(
        _("Saved the booking link of %(name)s.", name=user.display_name)
        if user.booking_url
        else _("%(name)s has no booking link of their own now.", name=user.display_name),
        "info",
    )
    return _back_to(user)


@bp.post("/users/<int:user_id>/absences")
def add_user_absence(user_id: int):
    """Set anyone's absence. One that covers today hands their opportunities
    still waiting for a first response to colleagues at once."""
    user = db.get_or_404(User, user_id)
    form = AbsenceForm()
    if not form.validate():
        return _page(taking=(user.id, form), status=422)
    absence, moved = add_absence(user.id, form.starts.data, form.ends.data, by=current_user.id)
    said = _(
        "%(name)s is away %(when)s: they get no new leads then.",
        name=user.display_name,
        when=span_words(absence),
    )
    db.session.commit()
    flash(" ".join(filter(None, (said, moved_words(moved)))), "info")
    return _back_to(user)


@bp.post("/users/<int:user_id>/absences/<int:absence_id>/remove")
def remove_user_absence(user_id: int, absence_id: int):
    """Remove an absence of `user_id` (one of someone else's is not there: 404)."""
    user = db.get_or_404(User, user_id)
    absence = db.session.get(Absence, absence_id)
    if absence is None or absence.user_id != user.id:
        abort(404)
    if not RemoveAbsenceForm().validate():
        return _page(notice=_("That did not work. Please try again."), status=422)
    said = _(
        "The absence of %(name)s %(when)s is removed.",
        name=user.display_name,
        when=span_words(absence),
    )
    db.session.delete(absence)
    db.session.commit()
    flash(said, "info")
    return _back_to(user)
