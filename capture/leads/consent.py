"""Consent with proof: the wording a visitor accepted, versioned per form.

The contact step asks for the consent needed to answer the request, and,
unless the form is a newsletter, offers a separate, optional marketing
consent. What the visitor was shown (both sentences, the language and the
privacy statement's address) is recorded once as a numbered ConsentVersion
of the form; every submission points at the version it accepted.
"""

import hashlib
import json
from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from ..db.cache import process_cache
from ..extensions import db
from ..models import ConsentVersion, Form
from .form_texts import texts_for

DEFAULT_CONSENT = _l("I agree that my details are used to answer this request.")
DEFAULT_MARKETING = _l("Also send me news and offers by e-mail. I can unsubscribe at any time.")


def privacy_url() -> str | None:
    """The privacy statement every form links to (LEADS_PRIVACY_URL), if it is a web address."""
    url = current_app.config["LEADS_PRIVACY_URL"].strip()
    return url if url.startswith(("https://", "http://")) else None


def offers_marketing(form: Form) -> bool:
    """A newsletter sign-up is the marketing consent itself; other forms may offer it."""
    return form.kind != "newsletter" and form.offers_marketing


@dataclass(frozen=True)
class Wording:
    """The consent exactly as shown to the visitor."""

    language: str
    text: str
    marketing_text: str | None
    privacy_url: str | None

    @property
    def digest(self) -> str:
        shown = [self.language, self.text, self.marketing_text, self.privacy_url]
        return hashlib.sha256(json.dumps(shown).encode()).hexdigest()


def wording_for(form: Form) -> Wording:
    """What the contact step of `form` shows now, in the visitor's language.

    Its language is the one the consent sentence is written in: the form's
    own text's (which may be the other language's, see form_texts), or the
    page's for the standard sentence.
    """
    locale = str(get_locale() or "en")
    texts = texts_for(form, locale)
    marketing = None
    if offers_marketing(form):
        marketing = texts.marketing_text or str(DEFAULT_MARKETING)
    return Wording(
        language=texts.language if texts.consent_text else locale,
        text=texts.consent_text or str(DEFAULT_CONSENT),
        marketing_text=marketing,
        privacy_url=privacy_url(),
    )


def _stored_version(form_id: int, wording: Wording) -> int | None:
    return db.session.scalar(
        db.select(ConsentVersion.id).where(
            ConsentVersion.form_id == form_id, ConsentVersion.digest == wording.digest
        )
    )


def version_of(form_id: int, wording: Wording) -> int:
    """The id of `wording`'s ConsentVersion for the form, recorded if new.

    Call inside the submission's write transaction: a new version is stored
    with it, numbered after the form's last one. Two first posts of the same
    new wording at once collide on the unique digest and the loser retries.
    """
    # A stored version is never changed or removed: its id is kept for good.
    # Only ids read from stored rows are kept; a version added below is not
    # (its transaction may yet roll back).
    found = process_cache().get(
        "consent versions",
        (form_id, wording.digest),
        lambda: _stored_version(form_id, wording),
        ttl=None,
    )
    if found is not None:
        return found
    last = db.session.scalar(
        db.select(func.max(ConsentVersion.version)).where(ConsentVersion.form_id == form_id)
    )
    version = ConsentVersion(
        form_id=form_id,
        version=(last or 0) + 1,
        language=wording.language,
        text=wording.text,
        marketing_text=wording.marketing_text,
        privacy_url=wording.privacy_url,
        digest=wording.digest,
    )
    db.session.add(version)
    db.session.flush()
    return version.id
