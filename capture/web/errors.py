"""Error pages: HTML for people, JSON for clients that ask for it."""

from flask import current_app, jsonify, render_template, request
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from ..extensions import db


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def handle_http_error(error: HTTPException):
    if _wants_json():
        return jsonify(error=error.name, status=error.code), error.code
    return render_template("error.html", error=error), error.code


def handle_database_down(error: OperationalError):
    """The database cannot be reached: 503 and "try again", not a crash page."""
    current_app.logger.error("database unavailable: %s", error)
    response, status = handle_http_error(ServiceUnavailable())
    response = current_app.make_response((response, status))
    response.headers["Retry-After"] = "30"
    return response


def release_session(_error=None) -> None:
    """End the request's database session without letting a dead connection fail it.

    A connection the database dropped after the view's last query (a restart,
    a terminated backend) makes the closing ROLLBACK raise after the answer
    was made, and the server would send a bare 500 instead of it. Such a
    connection is discarded instead of rolled back.
    """
    try:
        db.session.close()
    except SQLAlchemyError:
        db.session().invalidate()


def register(app) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_down)
    # Flask runs teardowns last-registered first: this one runs before
    # Flask-SQLAlchemy's own (which would roll back the dead connection).
    app.teardown_appcontext(release_session)
