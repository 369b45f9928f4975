"""Security headers on every answer: a strict Content-Security-Policy and friends.

Pages load scripts, styles and images from Leadgate itself only; nothing
inline runs (htmx is configured without eval, see templates/base.html).
Only the hosted form may be framed, by the sites its form allows.
"""

from flask import Flask, g, request

POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
)
PERMISSIONS = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
HSTS_SECONDS = 365 * 86400


def allow_framing(origins: list[str]) -> None:
    """Let this answer be framed by Leadgate itself and by `origins` (the widget)."""
    g.frame_ancestors = ["'self'", *origins]


def _add_headers(response):
    ancestors = g.get("frame_ancestors")
    framing = " ".join(ancestors) if ancestors else "'none'"
    policy = "; ".join((*POLICY, f"frame-ancestors {framing}"))
    response.headers["Content-Security-Policy"] = policy
    if ancestors is None:
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = PERMISSIONS
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
    return response


def register(app: Flask) -> None:
    app.after_request(_add_headers)
