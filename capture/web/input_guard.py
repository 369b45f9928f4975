"""Refusing input no person types: a NUL character in a request.

PostgreSQL cannot store NUL in text, and no browser sends one from a form
field or an address bar, so such a request is answered 400 up front instead
of failing later with a server error. The visitor's forms are the exception:
they drop the character and go on, so nothing typed is lost.
"""

from flask import Flask, abort, request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# These check the upload's size before anything reads the body, then call
# refuse_nul_in_form themselves.
UPLOADS = ("admin.upload_ebook", "admin.replace_ebook")


def _form_values():
    # Every value of a repeated field (values() gives only the first).
    yield from (value for _, value in request.form.items(multi=True))
    yield from (upload.filename or "" for _, upload in request.files.items(multi=True))


def _values():
    # Query strings and the referrer are cleaned where they are read (search
    # terms, attribution); the path and posted forms are looked at here.
    yield request.path
    # The visitor's forms drop NUL from what was typed instead (leads/questions.py).
    if (
        request.mimetype in FORM_TYPES
        and request.blueprint != "intake"
        and request.endpoint not in UPLOADS
    ):
        yield from _form_values()


def refuse_nul() -> None:
    if any("\x00" in value for value in _values()):
        abort(400)


def refuse_nul_in_form() -> None:
    """For the views that must look at the body's size first."""
    if any("\x00" in value for value in _form_values()):
        abort(400)


def register(app: Flask) -> None:
    app.before_request(refuse_nul)
