"""A public form's signed token, made hours ago: expired."""

import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from capture.extensions import db
from capture.intake.tokens import FORM_SALT
from capture.models import Form


class HoursOldSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 5 * 3600


def old_token(app, slug) -> str:
    with app.app_context():
        form_id = db.session.scalar(db.select(Form.id).where(Form.slug == slug))
    serializer = URLSafeTimedSerializer(app.secret_key, salt=FORM_SALT, signer=HoursOldSigner)
    return serializer.dumps({"f": form_id, "o": "", "n": "old-nonce"})
