"""Signed form tokens: cookie-free protection for the public forms.

Every rendered form carries a token binding the form, the embedding origin
and a random nonce, signed with the app's secret and timestamped. The nonce
makes a post single-use: a second post with it finds the first submission.
"""

import secrets
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

FORM_SALT = "leadgate.form"
STEP_SALT = "leadgate.step"


class TokenProblem(Exception):
    """The token cannot be used; `code` says why (`invalid`, `expired`, `too_fast`)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class FormToken:
    form_id: int
    origin: str
    nonce: str
    issued_at: float


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def issue_form_token(form_id: int, origin: str = "") -> str:
    """Return a fresh token for one rendering of a form."""
    payload = {"f": form_id, "o": origin, "n": secrets.token_urlsafe(18)}
    return _serializer(FORM_SALT).dumps(payload)


def read_form_token(token: str | None, form_id: int, now: float | None = None) -> FormToken:
    """Check a posted form token and return what it carries.

    Raises TokenProblem: `invalid` (bad signature, other form), `expired`
    (older than LEADS_FORM_MAX_AGE) or `too_fast` (younger than
    LEADS_MIN_FILL_SECONDS, the time-trap for bots).
    """
    config = current_app.config
    try:
        payload, signed_at = _serializer(FORM_SALT).loads(
            token or "", max_age=config["LEADS_FORM_MAX_AGE"], return_timestamp=True
        )
    except SignatureExpired as error:
        raise TokenProblem("expired") from error
    except BadSignature as error:
        raise TokenProblem("invalid") from error
    if not isinstance(payload, dict) or payload.get("f") != form_id or not payload.get("n"):
        raise TokenProblem("invalid")
    issued_at = signed_at.timestamp()
    if (now or time.time()) - issued_at < config["LEADS_MIN_FILL_SECONDS"]:
        raise TokenProblem("too_fast")
    return FormToken(form_id, str(payload.get("o", "")), str(payload["n"]), issued_at)


def issue_step_token(submission_id: int) -> str:
    """Return the token that lets the next step complete `submission_id`."""
    return _serializer(STEP_SALT).dumps({"s": submission_id})


def read_step_token(token: str | None) -> int:
    """Return the submission id of a step token; raises TokenProblem(`invalid`).

    A step token does not expire: it only names a submission the visitor
    already made, and completing it twice changes nothing.
    """
    try:
        payload = _serializer(STEP_SALT).loads(token or "")
    except BadSignature as error:
        raise TokenProblem("invalid") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise TokenProblem("invalid")
    return payload["s"]
