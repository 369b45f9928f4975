"""The public intake: hosted forms at `/f/<slug>`, also the widget's content."""

from flask import Blueprint

from .field_markup import field_markup

bp = Blueprint("intake", __name__)
bp.add_app_template_global(field_markup)

from . import booking, confirm, downloads, embedding, views  # noqa: E402,F401  (registers the routes on bp)
