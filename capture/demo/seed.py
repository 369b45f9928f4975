"""The demo forms (`make run`, `flask seed-demo`) and a first admin."""

import secrets

from werkzeug.security import generate_password_hash

from ..domain.vocabulary import DEFAULT_INTENT, FORM_TEXTS
from ..extensions import db
from ..leads.ebooks import store_ebook
from ..models import Form, User
from .ebook import build_pdf

DEMO_FORMS = [
    {
        "slug": "demo-ebook",
        "kind": "gate",
        "title": "Free e-book: lead management for small firms",
        "texts": {
            "en": {
                "title": "Free e-book: lead management for small firms",
                "intro": (
                    "Twelve pages on turning website visitors into customers, "
                    "without the big-company funnel."
                ),
            },
            "nl": {
                "title": "Gratis e-book: leadmanagement voor het mkb",
                "intro": (
                    "Twaalf pagina's over hoe websitebezoekers klant worden, "
                    "zonder de trechter van grote bedrijven."
                ),
            },
        },
        "questions": ["role", "timeline"],
    },
    {
        "slug": "demo-contact",
        "kind": "contact",
        "title": "Ask for a demo",
        "texts": {
            "en": {
                "title": "Ask for a demo",
                "intro": "Tell us who you are and we will call you within one working day.",
            },
            "nl": {
                "title": "Vraag een demo aan",
                "intro": "Vertel ons wie u bent, dan bellen wij u binnen één werkdag.",
            },
        },
        "questions": ["phone", "role", "budget", "timeline", "need"],
        # The sample site's pricing page passes the plan the visitor looked at.
        "hidden_fields": [{"name": "plan", "label": "Plan looked at"}],
        "booking_url": "https://cal.example.com/leadgate/intro",
    },
]


def seed_demo() -> list[str]:
    """Create the demo forms that are missing; return the slugs created.

    They may be embedded on any site, the sample site's included; forms
    that exist already are left as they are.
    """
    created = []
    for spec in DEMO_FORMS:
        if db.session.scalars(db.select(Form.id).where(Form.slug == spec["slug"])).first():
            continue
        texts = {
            language: {key: written.get(key, "") for key in FORM_TEXTS}
            for language, written in spec["texts"].items()
        }
        form = Form(intent=DEFAULT_INTENT[spec["kind"]], **{**spec, "texts": texts})
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
