"""The sales pages under `/sales`: the incoming-leads lists, a lead, export."""

from flask import Blueprint

from ..access.roles import require_role

bp = Blueprint("sales", __name__)
require_role(bp, "admin", "sales")

from . import export, lead, manual, views  # noqa: E402,F401  (registers the routes and helpers on bp)
