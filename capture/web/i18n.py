"""The language of a page: the visitor's or the user's, English or Dutch."""

from flask import g, request
from flask_login import current_user

VISITOR_LOCALES = ("en", "nl")


def select_locale() -> str:
    """The page's language.

    A visitor's page (the public form, the embed, static files): `?lang=`
    (the embed's `data-lang`), the form's own language, then the browser's
    preference. Any other page: the logged-in user's chosen language, then
    the browser's preference.
    """
    if request.blueprint in (None, "intake", "embed"):
        for asked in (request.args.get("lang", ""), g.get("form_language") or ""):
            if asked in VISITOR_LOCALES:
                return asked
    else:
        # Anonymous users have no language; a stored value no longer offered is ignored.
        chosen = getattr(current_user, "language", None)
        if chosen in VISITOR_LOCALES:
            return chosen
    return request.accept_languages.best_match(VISITOR_LOCALES) or "en"
