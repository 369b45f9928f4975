"""The insights page `/sales/insights`: channels, first response, reasons, funnels,
pipeline, cost."""

from flask import Blueprint

from ..access.roles import require_role

bp = Blueprint("insights", __name__)
require_role(bp, "admin", "sales")

from . import display, export, views  # noqa: E402,F401  (registers the routes and filters on bp)
