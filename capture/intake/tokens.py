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

from ..db.process_store import app_store

FORM_SALT = "leadgate.form"
STEP_SALT = "leadgate.step"


class TokenProblem(Exception):
    """The token cannot be used; `code` says why (`invalid`, `expired`, `too_fast`).

    `shown_at` is when the visitor first saw the form, when the token proves it.
    """

    def __init__(self, code: str, shown_at: float | None = None):
        super().__init__(code)
        self.code = code
        self.shown_at = shown_at


@dataclass(frozen=True)
class FormToken:
    form_id: int
    origin: str
    nonce: str
    shown_at: float


def serializer_for(salt: str) -> URLSafeTimedSerializer:
    """The app's signer of tokens for `salt`, made once per process and secret key."""
    app = current_app._get_current_object()
    kept = app_store(app, "leadgate.serializers", dict)
    secret = app.config["SECRET_KEY"]
    serializer = kept.get((salt, secret))
    if serializer is None:
        serializer = kept[(salt, secret)] = URLSafeTimedSerializer(secret, salt=salt)
    return serializer


def issue_form_token(form_id: int, origin: str = "", shown_at: float | None = None) -> str:
    """Return a fresh token for one rendering of a form.

    `shown_at` carries over when the form is shown again (after a mistake),
    so the time-trap counts from the first time the visitor saw it.
    """
    payload = {
        "f": form_id,
        "o": origin,
        "n": secrets.token_urlsafe(18),
        "t": int(shown_at if shown_at is not None else time.time()),
    }
    return serializer_for(FORM_SALT).dumps(payload)


def _shown_at(payload, signed_at: float) -> float:
    shown = payload.get("t") if isinstance(payload, dict) else None
    return min(float(shown), signed_at) if isinstance(shown, int) else signed_at


def read_form_token(token: str | None, form_id: int, now: float | None = None) -> FormToken:
    """Check a posted form token and return what it carries.

    Raises TokenProblem: `invalid` (bad signature, other form), `expired`
    (older than LEADS_FORM_MAX_AGE) or `too_fast` (younger than
    LEADS_MIN_FILL_SECONDS, the time-trap for bots).
    """
    config = current_app.config
    serializer = serializer_for(FORM_SALT)
    try:
        payload, signed_at = serializer.loads(
            token or "", max_age=config["LEADS_FORM_MAX_AGE"], return_timestamp=True
        )
    except SignatureExpired as error:
        # Genuine but old: the visitor has long passed the time-trap.
        old = serializer.load_payload(error.payload) if error.payload else {}
        shown = old.get("t") if isinstance(old, dict) else None
        raise TokenProblem("expired", float(shown) if isinstance(shown, int) else 0.0) from error
    except BadSignature as error:
        raise TokenProblem("invalid") from error
    if not isinstance(payload, dict) or payload.get("f") != form_id or not payload.get("n"):
        raise TokenProblem("invalid")
    shown_at = _shown_at(payload, signed_at.timestamp())
    if (now or time.time()) - shown_at < config["LEADS_MIN_FILL_SECONDS"]:
        raise TokenProblem("too_fast", shown_at)
    return FormToken(form_id, str(payload.get("o", "")), str(payload["n"]), shown_at)


def issue_step_token(submission_id: int) -> str:
    """Return the token that lets the next step complete `submission_id`."""
    return serializer_for(STEP_SALT).dumps({"s": submission_id})


def read_step_token(token: str | None) -> int:
    """Return the submission id of a step token; raises TokenProblem(`invalid`).

    A step token does not expire: it only names a submission the visitor
    already made, and completing it twice changes nothing.
    """
    try:
        payload = serializer_for(STEP_SALT).loads(token or "")
    except BadSignature as error:
        raise TokenProblem("invalid") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise TokenProblem("invalid")
    return payload["s"]
