"""Structured request logging: one JSON line per request on the `leadgate.requests`
logger, for log collectors behind gunicorn.

Only what operations needs: method, path without the query string (which
can hold a search for a person's name), endpoint, status, duration and
response size. No addresses, no cookies, no form values.
"""

import json
import logging
import sys
import time

from flask import Flask, g, request

logger = logging.getLogger("leadgate.requests")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (gunicorn and test
    runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def _start() -> None:
    g.request_started = time.perf_counter()


def _log(response):
    started = g.pop("request_started", None)
    record = {
        "method": request.method,
        "path": request.path,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "bytes": response.content_length,
    }
    logger.info(json.dumps(record, separators=(",", ":")))
    return response


def register(app: Flask) -> None:
    """Log every request of `app` when LEADS_REQUEST_LOG is on (the default)."""
    if not app.config["LEADS_REQUEST_LOG"]:
        return
    if not logger.handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    # Flask-Limiter names the client's address when a limit is hit, at INFO:
    # keep that out of any log set up to show INFO (no raw IPs anywhere).
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    app.before_request(_start)
    app.after_request(_log)
