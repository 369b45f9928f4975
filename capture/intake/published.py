"""The form a visitor sees: its settings as read, shared by a worker's requests.

Showing and posting `/f/<slug>` reads the form on every request; the
snapshot is kept per process for a few seconds (see capture/db/cache.py)
and is plain data: safe to share, and never written back by mistake.
"""

from sqlalchemy import inspect

from ..db.cache import forget_on_write, process_cache
from ..extensions import db
from ..models import Form

_COLUMNS = tuple(attribute.key for attribute in inspect(Form).column_attrs)


class PublishedForm:
    """A Form's columns (lists as tuples), without a session behind them."""

    __slots__ = _COLUMNS

    def __init__(self, form: Form) -> None:
        for name in _COLUMNS:
            value = getattr(form, name)
            object.__setattr__(self, name, tuple(value) if isinstance(value, list) else value)

    def __setattr__(self, name, value):
        raise AttributeError(f"a published form is read-only ({name})")

    asks = Form.asks

    def __repr__(self) -> str:
        return f"<PublishedForm {self.slug!r}>"


def _read(slug: str) -> PublishedForm | None:
    form = db.session.scalars(
        db.select(Form).where(Form.slug == slug, Form.archived_at.is_(None))
    ).one_or_none()
    return PublishedForm(form) if form is not None else None


def published_form(slug: str) -> PublishedForm | None:
    """The active form `slug` as a visitor sees it, or None."""
    return process_cache().get("forms", slug, lambda: _read(slug))


# A form edited or archived in this process shows at once.
forget_on_write(Form)
