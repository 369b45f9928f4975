"""A visitor form's fields as HTML, with the blank ones rendered once.

Rendering a WTForms field (its label, its widget, every option of a select,
each label a translated string) is most of the work of showing a form. A
field nobody has filled in yet looks the same for every visitor who sees it
in the same language, so its markup is kept per process (capture/db/cache.py)
and reused. A field
with a value or an error is rendered afresh every time.
"""

from flask import get_template_attribute
from flask_babel import get_locale
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ..db.cache import process_cache

MACROS = "intake/_macros.html"


def _is_blank(field) -> bool:
    return not field.errors and not field.raw_data and field.data in (None, "", False)


def _key(field, attributes: dict) -> tuple:
    # The visitor forms' fields have distinct names: with the language, the
    # name settles the options' labels. The label itself can be a form's own
    # (its consent wording) and the options can change (the sectors are a
    # setting), so both are in the key.
    choices = getattr(field, "choices", None)
    values = tuple(c.value if isinstance(c, SelectChoice) else c[0] for c in choices or ())
    return (
        str(get_locale()),
        field.name,
        str(field.label.text),  # a form's own consent wording, say
        field.id,
        field.type,
        bool(field.flags.required),
        values,
        tuple(sorted((name, str(value)) for name, value in attributes.items())),
    )


def field_markup(field, **attributes) -> Markup:
    """The HTML of `field` (label, input, error) as the `field` macro writes it."""
    render = get_template_attribute(MACROS, "field")
    if not _is_blank(field):
        return render(field, **attributes)
    # Markup: the macro escaped it.
    return process_cache().get(
        "field markup", _key(field, attributes), lambda: render(field, **attributes), ttl=None
    )
