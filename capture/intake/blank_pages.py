"""The visitor's pages (templates/intake/), blank ones rendered once per worker
with holes to fill.

A form's first step as a visitor opens it, its second step after a valid
first one, and the thank-you, look the same for everyone who sees them in
the same language on the same address, except for a few values: the signed
token, the attribution carried in hidden fields, a download link. Rendering
the templates and the form fields was most of the work of those requests,
so such a page is rendered once with a marker in each hole, kept in the
process cache (capture/db/cache.py), and then each request only puts its
own (escaped) values into the holes.

The kept page's key is made here, from everything the template receives:
a template variable added later is part of the key without anyone having to
remember it (a value that cannot be a key, such as a form with a visitor's
input, is refused loudly rather than served stale). Pages with a visitor's
input, an error or a notice are rendered afresh.
"""

import secrets
from collections.abc import Callable, Hashable, Mapping

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup, escape

from ..db.cache import process_cache

# Random per process: no form text or setting can contain it by chance.
_MARK = f"lg-hole-{secrets.token_hex(12)}-"


def hidden_inputs(values: Mapping[str, str]) -> Markup:
    """<input type="hidden"> for each of `values`, escaped."""
    return Markup("\n  ").join(
        Markup('<input type="hidden" name="{}" value="{}">').format(name, value)
        for name, value in values.items()
    )


def page_key(template: str, context: Mapping[str, Hashable], holes: Mapping, fields_from) -> tuple:
    """What a blank page depends on: the template, the page's language, every
    value the template receives (`context`), the names of its holes, and
    what its blank fields are made from (`fields_from`)."""
    key = (template, str(get_locale()), tuple(sorted(holes)), fields_from)
    key += tuple(sorted(context.items()))
    hash(key)  # TypeError now, for a value that cannot tell one page from another
    return key


def render_page(
    template: str,
    context: Mapping[str, Hashable],
    holes: Mapping[str, object],
    blank_fields: Callable[[], object] | None = None,
    fields_from: Hashable = (),
) -> str:
    """`template` with `context`, its blank `fields` made by `blank_fields()`
    (from the form, the language and `fields_from`), and `holes` (name ->
    value) filled in. Values are escaped unless they are Markup."""

    def render() -> str:
        # Our own markers, no outside text: safe as markup.
        markers = {name: Markup(_marker(name)) for name in holes}  # noqa: S704
        fields = blank_fields() if blank_fields is not None else None
        return render_template(template, **context, fields=fields, **markers)

    key = page_key(template, context, holes, fields_from)
    page = process_cache().get("blank pages", key, render, ttl=None)
    for name, value in holes.items():
        page = page.replace(_marker(name), str(escape(value)))
    return page


def _marker(name: str) -> str:
    return f"{_MARK}{name}-end"
