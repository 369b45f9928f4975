"""Logging in and out, and who may see which internal page."""

from flask import Blueprint

from ..access.roles import keep_private

bp = Blueprint("auth", __name__)
keep_private(bp)

from . import views  # noqa: E402,F401  (registers the routes on bp)
