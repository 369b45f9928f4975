"""Where a form may be embedded, set as an admin would on its page."""

from capture.extensions import db
from capture.models import Form


def restrict_embedding(app, slug: str, *origins: str) -> None:
    """Let only `origins` (and Leadgate itself) show form `slug` in a frame."""
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == slug)).one()
        form.restrict_embedding = True
        form.allowed_origins = list(origins)
        db.session.commit()
