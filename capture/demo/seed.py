"""The demo forms (`make run`, `flask seed-demo`) and a first admin."""

import os
import secrets

from werkzeug.security import generate_password_hash

from ..domain.vocabulary import DEFAULT_INTENT
from ..extensions import db
from ..leads.ebooks import store_ebook
from ..models import Form, User
from .ebook import build_pdf


def sample_site_origins() -> list[str]:
    """Where `make run` serves the sample customer site (SITE_PORT, default 8000)."""
    port = os.environ.get("SITE_PORT", "8000")
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]


DEMO_FORMS = [
    {
        "slug": "demo-ebook",
        "kind": "gate",
        "title": "Free e-book: lead management for small firms",
        "intro": (
            "Twelve pages on turning website visitors into customers, "
            "without the big-company funnel."
        ),
        "questions": ["role", "timeline"],
    },
    {
        "slug": "demo-contact",
        "kind": "contact",
        "title": "Ask for a demo",
        "intro": "Tell us who you are and we will call you within one working day.",
        "questions": ["phone", "role", "budget", "timeline", "need"],
        "booking_url": "https://cal.example.com/leadgate/intro",
    },
]


def seed_demo() -> list[str]:
    """Create the demo forms that are missing; return the slugs created.

    Existing demo forms only learn the sample site's current origins.
    """
    created = []
    origins = sample_site_origins()
    for spec in DEMO_FORMS:
        existing = db.session.scalars(db.select(Form).where(Form.slug == spec["slug"])).first()
        if existing:
            # The sample site may have moved to another port since.
            missing = [o for o in origins if o not in (existing.allowed_origins or [])]
            if missing:
                existing.allowed_origins = [*(existing.allowed_origins or []), *missing]
            continue
        form = Form(intent=DEFAULT_INTENT[spec["kind"]], allowed_origins=origins, **spec)
        if form.kind == "gate":
            pdf = build_pdf(
                "Lead management for small firms",
                [
                    "1. Keep it simple: disqualified, opportunity or nurture.",
                    "2. A lead is a person who did something, not a page view.",
                    "3. Ask sector and headcount; score fit and engagement.",
                    "4. Warmth decays: call hot leads the same day.",
                    "5. Record the channel of every lead, and learn from it.",
                ],
            )
            form.ebook = store_ebook(
                "Lead management for small firms", "lead-management.pdf", "application/pdf", pdf
            )
        db.session.add(form)
        created.append(form.slug)
    db.session.commit()
    return created


DEMO_ADMIN = "admin@leadgate.local"


def seed_first_admin() -> str | None:
    """Create an admin with a random password if nobody can log in yet; return it."""
    if db.session.scalar(db.select(User.id).limit(1)):
        return None
    password = secrets.token_urlsafe(12)
    db.session.add(
        User(email=DEMO_ADMIN, role="admin", password_hash=generate_password_hash(password))
    )
    db.session.commit()
    return password
