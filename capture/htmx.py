"""Small helpers for answering htmx requests."""

from flask import request


def is_htmx() -> bool:
    """True when htmx made the request (it sends `HX-Request: true`)."""
    return request.headers.get("HX-Request") == "true"


def vary_on_htmx(response):
    """Mark a response that differs for htmx, so caches keep both."""
    response.vary.add("HX-Request")
    return response
