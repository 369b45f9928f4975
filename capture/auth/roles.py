"""Access rules for internal pages: login for /sales, the admin role for /admin."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from ..extensions import db, login_manager
from ..htmx import is_htmx
from ..models import User

ROLES = ("admin", "sales")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.unauthorized_handler
def to_login():
    """Anonymous: to the login page, coming back here after; htmx follows too."""
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def require_role(blueprint: Blueprint, *roles: str) -> None:
    """Every route of `blueprint` needs a logged-in, active user with one of `roles`.

    Checked before each view runs, so no route of the blueprint can forget it.
    """

    @blueprint.before_request
    def check_role():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        return None


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is `Secure` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)
