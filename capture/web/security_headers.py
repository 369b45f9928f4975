"""Security headers on every answer: a strict Content-Security-Policy and friends.

Pages load scripts, styles and images from Leadgate itself only; nothing
inline runs (htmx is configured without eval, see templates/base.html).
Only the hosted form may be framed: by any site, or by the sites its form
lists; every other page by none.
"""

from collections.abc import Iterable

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
# g.frame_ancestors when any site may frame the answer.
ANY_SITE = "any site"


def allow_framing(origins: Iterable[str] = (), *, any_site: bool = False) -> None:
    """Let this answer be framed (the widget) by Leadgate itself and by
    `origins`, or with `any_site` by every site: then the answer says nothing
    about framing at all (no frame-ancestors, no X-Frame-Options)."""
    g.frame_ancestors = ANY_SITE if any_site else ["'self'", *origins]


def _framing_policy() -> tuple[str, ...]:
    """The frame-ancestors directive of this answer, if it has one."""
    ancestors = g.get("frame_ancestors")
    if ancestors == ANY_SITE:
        return ()
    framing = " ".join(ancestors) if ancestors else "'none'"
    return (f"frame-ancestors {framing}",)


def _add_headers(response):
    ancestors = g.get("frame_ancestors")
    response.headers["Content-Security-Policy"] = "; ".join((*POLICY, *_framing_policy()))
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
