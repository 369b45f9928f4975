"""Refusing input no person types: a NUL character in a request.

PostgreSQL cannot store NUL in text, and no browser sends one from a form
field or an address bar, so such a request is answered 400 up front instead
of failing later with a server error. The visitor's forms are the exception:
they drop the character and go on, so nothing typed is lost.
"""

from flask import Flask, abort, request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _values():
    # Query strings and the referrer are cleaned where they are read (search
    # terms, attribution); the path and posted forms are looked at here.
    yield request.path
    # The visitor's forms drop NUL from what was typed instead (intake/forms.py),
    # and the admin's e-book upload checks its size before anything reads the body.
    if request.mimetype in FORM_TYPES and request.blueprint not in ("intake", "admin"):
        yield from request.form.values()


def refuse_nul() -> None:
    if any("\x00" in value for value in _values()):
        abort(400)


def register(app: Flask) -> None:
    app.before_request(refuse_nul)
