"""A form's own texts in the visitor's language (Form.texts).

The site owner writes a form's title, introduction, button label, thank-you
text, booking link label and consent wording in English, Dutch or both. A
language is written when its title is. A visitor is shown the texts of the
page's language when they are written, else those of the language that is
(a form with one language written shows it to everyone). An empty text in a
written language means the standard one, which the page gives in its own
language.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from ..domain.vocabulary import FORM_LANGUAGES, FORM_TEXTS


@dataclass(frozen=True)
class FormTexts:
    """What a visitor reads of the form, and the language it is written in."""

    language: str
    title: str = ""
    intro: str = ""
    button_label: str = ""
    success_text: str = ""
    booking_label: str = ""
    consent_text: str = ""
    marketing_text: str = ""


def is_written(values: Mapping | None) -> bool:
    """Whether one language's texts count as written: their title is."""
    return bool(((values or {}).get("title") or "").strip())


def written_languages(form) -> tuple[str, ...]:
    """The languages the form's texts are written in."""
    texts = form.texts or {}
    return tuple(language for language in FORM_LANGUAGES if is_written(texts.get(language)))


def main_language(form) -> str | None:
    """The language a visitor is shown when nothing else decides: the form's
    own, else the only one its texts are written in (None: the browser's)."""
    if form.language:
        return form.language
    written = written_languages(form)
    return written[0] if len(written) == 1 else None


def texts_for(form, locale: str) -> FormTexts:
    """The texts a visitor reading `locale` sees."""
    written = written_languages(form)
    if locale in written:
        language = locale
    elif form.language in written:
        language = form.language
    elif written:
        language = written[0]
    else:
        return FormTexts(language=locale, title=form.title or "")
    stored = (form.texts or {}).get(language) or {}
    values = {key: (stored.get(key) or "").strip() for key in FORM_TEXTS}
    return FormTexts(language=language, **values)


def staff_title(texts: dict, language: str | None) -> str:
    """The form's name for staff: its title in `language` when written, else
    the first written one."""
    titles = {lang: ((texts.get(lang) or {}).get("title") or "").strip() for lang in FORM_LANGUAGES}
    if language and titles.get(language):
        return titles[language]
    return next((title for title in titles.values() if title), "")
