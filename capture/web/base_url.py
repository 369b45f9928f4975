"""Leadgate's own address, LEADS_BASE_URL: the absolute links it hands out, and
the hosts it answers for (LEADS_TRUSTED_HOSTS).

Links that leave a request (e-mails, webhooks, the snippet, QR codes) are
built on the configured address, never on the request's Host or
X-Forwarded-Host: a visitor can send any, and a prospect would get a link
to the visitor's site.
"""

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.exceptions import SecurityError

HEALTH_CHECK = "/healthz"


def absolute_url(endpoint: str, **values) -> str:
    """The full address of `endpoint` (with `values`, as url_for takes them) on
    LEADS_BASE_URL. Needs only an app context: the CLI and the worker too."""
    app = current_app
    base = urlsplit(app.config["LEADS_BASE_URL"])
    adapter = app.url_map.bind(base.netloc, url_scheme=base.scheme)
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def _foreign_host(_error: SecurityError):
    """A request for a host not in TRUSTED_HOSTS is refused (400), except the
    health check, which a load balancer may call by the server's address.

    A bare answer: such a request has no URL adapter, so no page that links
    anything (the error page links its stylesheet) can be rendered for it.
    """
    if request.path == HEALTH_CHECK:
        return current_app.view_functions["health.healthz"]()
    return "Bad Request: unknown host\n", 400, {"Content-Type": "text/plain; charset=utf-8"}


def register(app: Flask) -> None:
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.register_error_handler(SecurityError, _foreign_host)
