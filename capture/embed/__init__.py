"""The embed loader a site owner's `<script>` line fetches: `/embed.js`."""

from flask import Blueprint

bp = Blueprint("embed", __name__)

from . import views  # noqa: E402,F401  (registers the route on bp)
