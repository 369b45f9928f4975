"""`/f/<slug>/embeddable`: may this form be embedded on the asking site?

The loader (widget/embed.js) cannot see why a frame failed across origins,
so when a form does not report in it asks here, and tells the site owner in
the browser's console. Public and anonymous: any site may ask (CORS `*`),
the answer says nothing a look at the form page's own headers would not,
and nothing is kept or counted.
"""

from flask import jsonify, make_response, request, request_finished

from ..web.origins import may_embed, origin_or_none
from . import bp
from .published import published_form

# A browser may keep the preflight this long (a plain GET needs none).
PREFLIGHT_SECONDS = 86400


def _asking_origin() -> str | None:
    """The origin of the page asking: the browser's Origin header on a
    cross-origin fetch, else `?origin=`; None when neither is an origin."""
    return origin_or_none(request.headers.get("Origin") or request.args.get("origin"))


def _public(response):
    """Any site may read the answer; no cache keeps it (the list may change)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/f/<slug>/embeddable", methods=["GET", "OPTIONS"])
def embeddable(slug: str):
    """200 {"form", "origin", "allowed"} for a live form; 404 {"form",
    "allowed": false, "error": "not found"} for an unknown or archived one.

    An OPTIONS preflight gets an empty 204 that allows a GET.
    """
    if request.method == "OPTIONS":
        response = _public(make_response("", 204))
        response.headers["Access-Control-Allow-Methods"] = "GET"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_SECONDS)
        return response
    form = published_form(slug)
    if form is None:
        return _public(jsonify(form=slug, allowed=False, error="not found")), 404
    origin = _asking_origin()
    return _public(jsonify(form=slug, origin=origin, allowed=may_embed(form, origin)))


def _without_vary_cookie(_app, response, **_extra) -> None:
    """The answer is the same with any cookie or none. Flask adds `Vary:
    Cookie` when the session was touched, which Flask-Login does after every
    request; it is taken off again here, once the session is saved."""
    if request.endpoint == "intake.embeddable":
        response.vary.discard("Cookie")


request_finished.connect(_without_vary_cookie)
