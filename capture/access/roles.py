"""Access rules for internal pages: login for /sales, the admin role for /admin."""

import secrets
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import User
from ..web.htmx import is_htmx

ROLES = ("admin", "sales")
# What a role reads as on the pages.
ROLE_WORDS = {"admin": _l("admin"), "sales": _l("sales")}


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session id `<user id>:<session token>`; a stale token is no one."""
    user_id, _, token = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user and token and secrets.compare_digest(token, user.session_token) else None


@login_manager.unauthorized_handler
def to_login():
    """Anonymous: to the login page, coming back here after; htmx follows too.

    For htmx the way back is the page the user was on, not the fragment it asked for.
    """
    if is_htmx():
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = safe_next(current.path + (f"?{current.query}" if current.query else ""))
        return "", 401, {"HX-Redirect": url_for("auth.login", next=back)}
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def require_role(blueprint: Blueprint, *roles: str) -> None:
    """Every route of `blueprint` needs a logged-in, active user with one of `roles`.

    Checked before each view runs, so no route of the blueprint can forget it.
    Its pages are kept private too (see `keep_private`).
    """
    keep_private(blueprint)

    @blueprint.before_request
    def check_role():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        return None


def keep_private(blueprint: Blueprint) -> None:
    """Pages with personal data: not stored by caches. (No page but the hosted
    form may be framed at all: see capture/web/security_headers.py.)"""

    @blueprint.after_request
    def private_headers(response):
        response.headers["Cache-Control"] = "no-store"
        return response


def role_word(role: str) -> str:
    """`sales` or `admin` in the page's language."""
    return str(ROLE_WORDS[role]) if role in ROLE_WORDS else role


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

    def open_session(self, app, request):
        # Without a cookie (every visitor) the session starts empty: no
        # signing key is derived just to find nothing to check.
        if self.get_cookie_name(app) not in request.cookies:
            return None if not app.secret_key else self.session_class()
        return super().open_session(app, request)
