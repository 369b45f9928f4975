"""The site owner's pages under `/admin` (admin role only)."""

from collections.abc import Callable
from contextlib import suppress

from flask import Blueprint, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..access.roles import require_role
from ..db.transactions import begin_write

bp = Blueprint("admin", __name__)
require_role(bp, "admin")


def takes_body_up_to(limit: Callable[[], int]):
    """Let a view's posts be up to `limit()` bytes instead of the app-wide
    MAX_CONTENT_LENGTH (an e-book upload). Known before the body is read."""

    def mark(view):
        view.body_limit = limit
        return view

    return mark


def _read_whole_body() -> None:
    """Receive the whole request body now, within the view's limit.

    A body over the limit is left to the view, which answers it (reading it
    again raises the same RequestEntityTooLarge).
    """
    view = current_app.view_functions.get(request.endpoint)
    limit = getattr(view, "body_limit", None)
    if limit is not None:
        request.max_content_length = limit()
    with suppress(RequestEntityTooLarge):
        request.form, request.files  # noqa: B018 - parsed in full on first access


@bp.before_request
def posts_write():
    """Every admin post reads, then writes: take the write lock first (SQLite),
    so a visitor's submission in between cannot fail the save.

    The body is received in full before that: an upload over a slow link
    must keep only its own sender waiting, not every visitor's post.
    """
    if request.method == "POST":
        _read_whole_body()
        begin_write()


@bp.app_template_global("has_endpoint")
def has_endpoint(name: str) -> bool:
    """Whether a page exists, for menus shared by pages built one by one."""
    return name in current_app.view_functions


from . import (  # noqa: E402,F401  (registers the routes on bp)
    assignment,
    costs,
    ebooks,
    embed,
    forms,
    home,
    notifications,
    privacy,
    rules,
    targets,
    users,
)
