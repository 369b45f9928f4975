"""Visitor-facing text in Dutch and English: form setting, `lang`, browser."""

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from capture import ROOT
from capture.extensions import db
from capture.models import Form

from ..support.visitor import Visitor

CATALOG = ROOT / "capture" / "translations" / "nl" / "LC_MESSAGES"


def labels(response) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [label.get_text(strip=True) for label in soup.select(".lg-field label")]


@pytest.mark.parametrize(
    ("query", "accept", "first_label", "html_lang"),
    [
        ("", "nl-NL,nl;q=0.9", "Zakelijk e-mailadres", "nl"),
        ("", "en-GB,en;q=0.9", "Work e-mail", "en"),
        ("", "de-DE", "Work e-mail", "en"),
        ("lang=nl", "en-GB", "Zakelijk e-mailadres", "nl"),
        ("lang=en", "nl-NL", "Work e-mail", "en"),
    ],
)
def test_the_form_speaks_the_visitors_language(client, query, accept, first_label, html_lang):
    page = Visitor(client).open("demo-contact", query, **{"Accept-Language": accept})

    assert labels(page)[0] == first_label
    assert f'<html lang="{html_lang}">' in page.get_data(as_text=True)


def test_the_forms_own_language_beats_the_browser_but_not_data_lang(app, client):
    with app.app_context():
        db.session.execute(db.update(Form).values(language="nl"))
        db.session.commit()

    assert labels(Visitor(client).open("demo-ebook", **{"Accept-Language": "en"}))[0] == (
        "Zakelijk e-mailadres"
    )
    assert labels(Visitor(client).open("demo-ebook", "lang=en"))[0] == "Work e-mail"


def test_errors_and_the_next_step_stay_in_the_chosen_language(client):
    visitor = Visitor(client)
    visitor.open("demo-contact", "lang=nl")
    again = visitor.post({"email": "wrong"})
    assert "Vul een geldig e-mailadres in." in again.get_data(as_text=True)

    visitor.post({"email": "a@b.nl", "name": "A", "company": "B", "consent": "y"})
    assert "Stap 2 van 2" in visitor.last.get_data(as_text=True)


def test_every_visitor_facing_text_has_a_dutch_translation_in_the_compiled_catalog():
    method_map = [("capture/**.py", "python"), ("templates/**.html", "jinja2")]
    in_code = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords={"_": None, "_l": None, "gettext": None}
        )
        if isinstance(message, str)
    }
    with open(CATALOG / "messages.po", "rb") as po_file:
        po = {m.id: m.string for m in read_po(po_file) if m.id}
    with open(CATALOG / "messages.mo", "rb") as mo_file:
        # Plural entries come back as lists here, as tuples from the .po.
        mo = {
            tuple(m.id) if m.pluralizable else m.id: tuple(m.string) if m.pluralizable else m.string
            for m in read_mo(mo_file)
            if m.id
        }

    assert in_code, "no messages extracted"
    assert sorted(in_code - {k for k, v in po.items() if v}) == []
    assert mo == po, "messages.mo is stale: run `make translations`"
