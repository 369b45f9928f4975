"""The public intake: hosted forms at `/f/<slug>`, also the widget's content."""

from flask import Blueprint

bp = Blueprint("intake", __name__)

from . import confirm, downloads, views  # noqa: E402,F401  (registers the routes on bp)
