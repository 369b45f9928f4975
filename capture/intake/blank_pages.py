"""The blank steps of a form, rendered once per worker with holes to fill.

A form's first step as a visitor opens it, and its second step after a
valid first one, look the same for everyone who sees them in the same
language on the same address, except for a few values: the signed token
and the attribution carried in hidden fields. Rendering the templates and
the form fields was most of the work of those requests, so the page is
rendered once with a marker in each hole, kept, and then each request only
puts its own (escaped) values into the holes.

Pages with a visitor's input, an error or a notice are rendered afresh.
"""

import secrets
from collections import OrderedDict
from collections.abc import Callable, Mapping
from threading import Lock

from flask import current_app
from markupsafe import Markup, escape

from ..db.process_store import app_store

# Random per process: no form text or setting can contain it by chance.
_MARK = f"lg-hole-{secrets.token_hex(12)}-"
_KEEP = 256


def hidden_inputs(values: Mapping[str, str]) -> Markup:
    """<input type="hidden"> for each of `values`, escaped."""
    return Markup("\n  ").join(
        Markup('<input type="hidden" name="{}" value="{}">').format(name, value)
        for name, value in values.items()
    )


class BlankPages:
    """key -> a rendered page with markers; the least recently used go first."""

    def __init__(self) -> None:
        self._pages: OrderedDict[tuple, str] = OrderedDict()
        self._lock = Lock()

    def page(self, key: tuple, render: Callable[..., str], holes: Mapping[str, object]) -> str:
        """The page for `key` with `holes` (name -> value) filled in.

        `render(**markers)` renders it, a marker passed where each hole's
        value would go; it is called once per key. Values are escaped unless
        they are Markup.
        """
        with self._lock:
            kept = self._pages.get(key)
            if kept is not None:
                self._pages.move_to_end(key)
        if kept is None:
            # Our own markers, no outside text: safe as markup.
            kept = render(**{name: Markup(_marker(name)) for name in holes})  # noqa: S704
            with self._lock:
                self._pages[key] = kept
                while len(self._pages) > _KEEP:
                    self._pages.popitem(last=False)
        for name, value in holes.items():
            kept = kept.replace(_marker(name), str(escape(value)))
        return kept


def _marker(name: str) -> str:
    return f"{_MARK}{name}-end"


def blank_pages() -> BlankPages:
    return app_store(current_app._get_current_object(), "leadgate.blank_pages", BlankPages)
