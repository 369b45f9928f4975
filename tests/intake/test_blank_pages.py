"""Blank form steps are rendered once per worker and filled in per visitor
(capture/intake/blank_pages.py): each visitor still gets their own token and
attribution, escaped, and any change to what the page shows is shown."""

from dataclasses import replace

from bs4 import BeautifulSoup

from capture.domain.rules import DEFAULT_RULES
from capture.extensions import db
from capture.leads.qualification import save_rules
from capture.models import Form

from ..support.visitor import CONTACT, Visitor, page_inputs

HOSTILE = '"><script>alert(1)</script>'


def without_holes(html: str) -> str:
    """The page with its token and hidden attribution fields taken out."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup.select("input[type=hidden]"):
        if hidden["name"] not in ("step",):
            hidden.decompose()
    return str(soup)


def test_two_visitors_get_one_page_with_their_own_token_and_attribution(client):
    first = Visitor(client)
    first.open("demo-contact", "utm_source=linkedin&utm_campaign=spring")
    second = Visitor(client)
    second.open("demo-contact", "utm_source=google&utm_medium=cpc")
    first_page, second_page = (v.last.get_data(as_text=True) for v in (first, second))

    first_fields, second_fields = page_inputs(first_page), page_inputs(second_page)
    assert first_fields["token"] != second_fields["token"]
    assert (first_fields["utm_source"], first_fields["utm_campaign"]) == ("linkedin", "spring")
    assert (second_fields["utm_source"], second_fields["utm_medium"]) == ("google", "cpc")
    assert "utm_campaign" not in second_fields
    assert without_holes(first_page) == without_holes(second_page)
    # Both tokens work: each visitor's post is taken.
    assert first.post({**CONTACT, "consent": "y"}).status_code == 200
    other = {**CONTACT, "email": "piet@bakkerij.nl", "consent": "y"}
    assert second.post(other).status_code == 200


def test_hostile_attribution_is_escaped_in_a_page_rendered_for_someone_else(client):
    Visitor(client).open("demo-contact", "utm_source=newsletter")  # the page is kept now
    visitor = Visitor(client)
    visitor.open("demo-contact", "utm_source=" + HOSTILE.replace("<", "%3C").replace(">", "%3E"))
    page = visitor.last.get_data(as_text=True)

    assert "<script>alert" not in page
    assert page_inputs(page)["utm_source"] == HOSTILE  # kept as typed, as a value


def test_the_second_step_shows_sectors_changed_after_it_was_first_rendered(app, client):
    first = Visitor(client)
    first.open("demo-contact")
    assert 'value="ict"' in first.post({**CONTACT, "consent": "y"}).get_data(as_text=True)
    with app.app_context():
        save_rules(replace(DEFAULT_RULES, sectors=("craft-bakeries", "retail")), None)
        db.session.commit()

    second = Visitor(client)
    second.open("demo-contact")
    page = second.post({**CONTACT, "email": "piet@bakkerij.nl", "consent": "y"})
    options = BeautifulSoup(page.get_data(as_text=True), "html.parser").select(
        "select[name=sector] option"
    )
    assert [o["value"] for o in options][1:] == ["craft-bakeries", "retail"]


def test_each_language_and_address_gets_its_own_page(client):
    english, dutch, embedded = Visitor(client), Visitor(client), Visitor(client)
    english.open("demo-contact", "lang=en")
    dutch.open("demo-contact", "lang=nl")
    embedded.open("demo-contact", "lang=nl&embed=1")
    pages = {
        name: BeautifulSoup(v.last.get_data(as_text=True), "html.parser")
        for name, v in (("en", english), ("nl", dutch), ("embed", embedded))
    }

    assert pages["en"].html["lang"] == "en" and pages["nl"].html["lang"] == "nl"
    assert pages["en"].button.get_text() != pages["nl"].button.get_text()
    assert "lg-embedded" in pages["embed"].body.get("class", [])
    assert "lg-embedded" not in pages["nl"].body.get("class", [])
    assert pages["embed"].form["action"] != pages["nl"].form["action"]


def test_a_language_the_forms_do_not_speak_is_ignored_and_keeps_no_page_of_its_own(app, client):
    from capture.db.cache import process_cache

    pages = []
    for asked in ("en", "xx", "yy", "zz<b>"):
        visitor = Visitor(client)
        visitor.open("demo-contact", f"lang={asked}")
        pages.append(BeautifulSoup(visitor.last.get_data(as_text=True), "html.parser"))

    assert pages[0].form["action"].endswith("lang=en")
    assert all("lang=" not in page.form["action"] for page in pages[1:])
    with app.test_request_context():
        assert process_cache().size("blank pages") == 2  # English, and the one for any other value


def test_the_thank_you_follows_each_visitors_outcome(app, client):
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == "demo-contact")).one()
        form.booking_url = "https://cal.example.com/intro"
        db.session.commit()

    def thank_you(email: str, headcount: str) -> BeautifulSoup:
        done = Visitor(client).submit("demo-contact", {"email": email}, {"headcount": headcount})
        return BeautifulSoup(done.get_data(as_text=True), "html.parser")

    booking = ".lg-done a[href*='/book/']"  # our signed redirect to the booking page
    assert thank_you("anna@groot.nl", "250-999").select_one(booking)  # an opportunity
    assert thank_you("piet@klein.nl", "1").select_one(booking) is None  # too small
    assert thank_you("joke@groot.nl", "100-249").select_one(booking)


def test_each_gate_visitor_gets_a_download_link_of_their_own(client):
    links = []
    for email in ("anna@groot.nl", "piet@klein.nl"):
        done = Visitor(client).submit("demo-ebook", {"email": email})
        link = BeautifulSoup(done.get_data(as_text=True), "html.parser").select_one("a[download]")
        links.append(link["href"])

    assert links[0] != links[1]
    for link in links:
        assert client.get(link).status_code == 200
