"""`/healthz`: is this instance able to serve? Checks the database with one query.

For load balancers and process managers: JSON, no login, no cookie, not
rate-limited, never cached.
"""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, limiter
from .errors import release_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 with {"status": "ok"} when the database answers, else 503 to try again."""
    try:
        db.session.execute(text("SELECT 1"))
        response = jsonify(status="ok", database="ok")
    except SQLAlchemyError as error:
        release_session()
        current_app.logger.error("health check: database unavailable: %s", error)
        response = jsonify(status="unavailable", database="unreachable")
        response.status_code = 503
        response.headers["Retry-After"] = "30"
    response.headers["Cache-Control"] = "no-store"
    return response
