"""The site owner's pages under `/admin` (admin role only)."""

from flask import Blueprint, current_app, request

from ..auth.roles import require_role
from ..extensions import begin_write

bp = Blueprint("admin", __name__)
require_role(bp, "admin")


@bp.before_request
def posts_write():
    """Every admin post reads, then writes: take the write lock first (SQLite),
    so a visitor's submission in between cannot fail the save."""
    if request.method == "POST":
        begin_write()


@bp.app_template_global("has_endpoint")
def has_endpoint(name: str) -> bool:
    """Whether a page exists, for menus shared by pages built one by one."""
    return name in current_app.view_functions


from . import costs, ebooks, embed, forms, home, notifications, privacy, rules, users  # noqa: E402,F401  (registers the routes on bp)
