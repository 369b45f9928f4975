"""A form's own texts in both languages: the visitor reads the language the
labels are in, a form written in one language shows it to everyone, and the
consent proof records the wording shown, in its language."""

import pytest
from bs4 import BeautifulSoup

from capture.domain.vocabulary import FORM_TEXTS
from capture.extensions import db
from capture.models import Form, Submission

from ..support.visitor import CONTACT, Visitor

ENGLISH = {
    "title": "Ask for a quote",
    "intro": "We answer within a day.",
    "button_label": "Send my request",
    "success_text": "Thanks, we will be in touch.",
    "booking_label": "Pick a time for a call",
    "consent_text": "You may use my details to answer me.",
    "marketing_text": "Send me the monthly tips.",
}
DUTCH = {
    "title": "Vraag een offerte aan",
    "intro": "Wij antwoorden binnen een dag.",
    "button_label": "Verstuur mijn aanvraag",
    "success_text": "Dank u, wij nemen contact op.",
    "booking_label": "Kies een tijd om te bellen",
    "consent_text": "U mag mijn gegevens gebruiken om mij te antwoorden.",
    "marketing_text": "Stuur mij de maandelijkse tips.",
}
# Answers that make an opportunity on the contact form: the thank-you offers a call.
BIG_FIRM = {"sector": "ict", "headcount": "250-999"}


def write_texts(app, slug="demo-contact", language=None, **texts):
    """Give the form exactly `texts` (language -> values); `language` sets its own."""
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == slug)).one()
        form.texts = {
            lang: {key: values.get(key, "") for key in FORM_TEXTS} for lang, values in texts.items()
        }
        form.language = language
        db.session.commit()


def shown(response) -> BeautifulSoup:
    assert response.status_code == 200, response.get_data(as_text=True)
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text_of(soup, selector) -> str:
    return soup.select_one(selector).get_text(" ", strip=True)


def last_submission(app) -> Submission:
    with app.app_context():
        submission = db.session.scalars(
            db.select(Submission).order_by(Submission.id.desc())
        ).first()
        _ = submission.consent_version
        return submission


@pytest.mark.parametrize(
    ("query", "headers", "texts", "labels_say"),
    [
        ("lang=en", {}, ENGLISH, "Step 1 of 2"),
        ("lang=nl", {}, DUTCH, "Stap 1 van 2"),
        ("", {"Accept-Language": "nl-NL,nl;q=0.9"}, DUTCH, "Stap 1 van 2"),
        ("", {"Accept-Language": "en-GB"}, ENGLISH, "Step 1 of 2"),
    ],
)
def test_each_visitor_reads_the_forms_texts_in_the_language_of_its_labels(
    app, client, query, headers, texts, labels_say
):
    write_texts(app, en=ENGLISH, nl=DUTCH)
    visitor = Visitor(client)

    page = shown(visitor.open("demo-contact", query, **headers))
    assert text_of(page, "h1") == texts["title"]
    assert page.title.get_text(strip=True) == texts["title"]
    assert text_of(page, ".lg-intro") == texts["intro"]
    assert text_of(page, "label[for=consent]") == texts["consent_text"]
    assert text_of(page, "label[for=marketing]") == texts["marketing_text"]
    assert text_of(page, ".lg-progress") == labels_say
    assert page.select_one("h1").get("lang") is None  # the page's own language

    second = shown(visitor.post({**CONTACT, "consent": "y"}, **headers))
    assert text_of(second, "button[type=submit]") == texts["button_label"]

    done = shown(visitor.post(BIG_FIRM, **headers))
    assert texts["success_text"] in text_of(done, ".lg-done")
    assert text_of(done, ".lg-done a.lg-button") == texts["booking_label"]


def test_the_forms_own_language_decides_before_the_browser(app, client):
    write_texts(app, language="nl", en=ENGLISH, nl=DUTCH)

    page = shown(Visitor(client).open("demo-contact", **{"Accept-Language": "en"}))

    assert text_of(page, "h1") == DUTCH["title"]
    assert page.html["lang"] == "nl"


@pytest.mark.parametrize("written", ["en", "nl"])
def test_a_form_written_in_one_language_shows_it_with_labels_to_match(app, client, written):
    texts = {"en": ENGLISH, "nl": DUTCH}[written]
    write_texts(app, **{written: texts})
    other = {"en": "nl", "nl": "en"}[written]

    # Nothing asked: the written language is the form's, labels included.
    page = shown(Visitor(client).open("demo-contact", **{"Accept-Language": other}))
    assert text_of(page, "h1") == texts["title"]
    assert page.html["lang"] == written

    # The embed asks for the other language (data-lang): its labels, these
    # texts, marked as the language they are in.
    asked = shown(Visitor(client).open("demo-contact", f"lang={other}"))
    assert page.html["lang"] == written and asked.html["lang"] == other
    assert text_of(asked, "h1") == texts["title"]
    assert asked.select_one("h1")["lang"] == written
    assert text_of(asked, "label[for=consent]") == texts["consent_text"]


def test_empty_texts_of_a_written_language_are_the_standard_ones_in_that_language(app, client):
    write_texts(app, en=ENGLISH, nl={"title": "Vraag een offerte aan"})
    visitor = Visitor(client)

    page = shown(visitor.open("demo-contact", "lang=nl"))
    assert page.select_one(".lg-intro") is None
    assert text_of(page, "label[for=consent]") == (
        "Ik ga ermee akkoord dat mijn gegevens worden gebruikt om deze aanvraag te beantwoorden."
    )
    shown(visitor.post({**CONTACT, "consent": "y"}))
    done = shown(visitor.post(BIG_FIRM))
    assert ENGLISH["success_text"] not in done.get_text()
    assert ENGLISH["booking_label"] not in done.get_text()


@pytest.mark.parametrize(
    ("query", "language", "wording"),
    [("lang=en", "en", ENGLISH), ("lang=nl", "nl", DUTCH)],
)
def test_the_consent_proof_is_the_wording_shown_in_its_language(
    app, client, query, language, wording
):
    write_texts(app, en=ENGLISH, nl=DUTCH)

    Visitor(client).submit("demo-contact", query=query)

    version = last_submission(app).consent_version
    assert (version.language, version.text, version.marketing_text) == (
        language,
        wording["consent_text"],
        wording["marketing_text"],
    )


def test_a_fallback_wording_is_recorded_in_the_language_it_is_written_in(app, client):
    write_texts(app, en=ENGLISH)

    Visitor(client).submit("demo-contact", query="lang=nl")

    version = last_submission(app).consent_version
    assert (version.language, version.text) == ("en", ENGLISH["consent_text"])


def test_texts_are_escaped(app, client):
    write_texts(app, en={**ENGLISH, "title": "<script>alert(1)</script>", "intro": "<b>hi</b>"})

    html = Visitor(client).open("demo-contact").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>hi</b>" not in html
