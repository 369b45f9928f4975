"""A form's hidden fields on its way through the intake: read where the host
page put them, carried in the contact step's hidden inputs, named for sales.

Like the attribution, the values travel with the visitor's post and are
checked again on it: only the form's declared names, cleaned and cut (see
capture/domain/hidden_fields.py for the rules).
"""

from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlsplit

from ..domain.hidden_fields import first_values, param_name, valid_name

# A host page's address longer than this is not read for values (the
# attribution keeps as much of it).
_MAX_PAGE_URL = 2000


def declared_names(form) -> tuple[str, ...]:
    """The names of `form`'s hidden fields, in the order declared."""
    return tuple(
        declared["name"]
        for declared in form.hidden_fields or ()
        if isinstance(declared, Mapping) and valid_name(declared.get("name"))
    )


def _query_of(url) -> dict[str, str]:
    """The parameters of `url`'s query (the first of a repeated one)."""
    if not isinstance(url, str) or len(url) > _MAX_PAGE_URL:
        return {}
    found = {}
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        found.setdefault(name, value)
    return found


def fields_for_page(form, args: Mapping) -> dict[str, str]:
    """The values for `form` being shown with the query `args`, first found wins:

    1. `field_<name>`, the loader's data-field-<name> on the script tag;
    2. `<name>` in the host page's address (`page_url`, in the embed);
    3. `<name>` in the page's own query (someone opening /f/<slug>?plan=pro).
    """
    names = declared_names(form)
    if not names:
        return {}
    from_snippet = {name: args.get(param_name(name)) for name in names}
    return first_values(names, [from_snippet, _query_of(args.get("page_url")), args])


def fields_from_post(form, posted: Mapping) -> dict[str, str]:
    """The values a contact step's post carries back, checked again: only
    the form's declared names (as it is declared now), cleaned and cut."""
    names = declared_names(form)
    return first_values(names, [{name: posted.get(param_name(name)) for name in names}])


def field_inputs(values: Mapping[str, str]) -> dict[str, str]:
    """The hidden inputs that carry `values` to the next post (field_<name>)."""
    return {param_name(name): value for name, value in values.items()}


def labelled(values: Mapping | None, declarations: Iterable) -> list[tuple[str, str, str]]:
    """(name, label, value) for sales: the declared ones in their order with
    their labels, then any no longer declared, by name, labelled by name."""
    values = values or {}
    labels = {
        declared["name"]: declared.get("label") or declared["name"]
        for declared in declarations or ()
        if isinstance(declared, Mapping) and declared.get("name") in values
    }
    rest = sorted(name for name in values if name not in labels)
    return [(name, labels.get(name, name), str(values[name])) for name in [*labels, *rest]]


def labels_of_forms(forms: Iterable) -> list[dict]:
    """The declarations of `forms` (newest first) as one list, for naming a
    lead's values that came from several forms: a name declared by more
    than one takes the first form's label."""
    merged = {}
    for form in forms:
        for declared in form.hidden_fields or ():
            if isinstance(declared, Mapping) and declared.get("name"):
                merged.setdefault(declared["name"], declared)
    return list(merged.values())
