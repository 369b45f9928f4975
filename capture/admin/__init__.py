"""The site owner's pages under `/admin` (admin role only)."""

from flask import Blueprint, current_app

from ..auth.roles import require_role

bp = Blueprint("admin", __name__)
require_role(bp, "admin")


@bp.app_template_global("has_endpoint")
def has_endpoint(name: str) -> bool:
    """Whether a page exists, for menus shared by pages built one by one."""
    return name in current_app.view_functions


from . import ebooks, embed, forms, home, rules, users  # noqa: E402,F401  (registers the routes on bp)
