"""Error pages: HTML for people, JSON for clients that ask for it."""

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def handle_http_error(error: HTTPException):
    if _wants_json():
        return jsonify(error=error.name, status=error.code), error.code
    return render_template("error.html", error=error), error.code


def register(app) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
