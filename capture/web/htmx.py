"""Small helpers for answering htmx requests."""

from flask import request


def is_htmx() -> bool:
    """True when htmx asks for a part of a page (it sends `HX-Request: true`).

    A history restore (back button, nothing cached) wants the whole page.
    """
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def vary_on_htmx(response):
    """Mark a response that differs for htmx, so caches keep both."""
    response.vary.add("HX-Request")
    return response
