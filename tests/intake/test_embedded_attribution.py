"""Attribution inside the widget: the host page's, not the iframe's."""

from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Lead, Submission

from ..support.embedding import restrict_embedding
from ..support.visitor import Visitor, page_inputs

HOST_PAGE = "http://localhost:8000/resources"


def stored(app):
    with app.app_context():
        lead = db.session.scalars(db.select(Lead)).one()
        submission = db.session.scalars(db.select(Submission)).one()
        return lead, submission


def test_the_embed_passes_the_host_pages_attribution(app, client):
    query = (
        "embed=1&page_url=http%3A%2F%2Flocalhost%3A8000%2Fresources"
        "&landing_page=http%3A%2F%2Flocalhost%3A8000%2F%3Fgclid%3Dabc"
        "&referrer=https%3A%2F%2Fwww.google.nl%2F&gclid=abc"
    )
    Visitor(client).submit("demo-ebook", query=query, Referer="http://localhost:8000/")

    lead, submission = stored(app)
    assert (lead.channel, lead.referrer) == ("paid", "https://www.google.nl/")
    assert lead.landing_page == "http://localhost:8000/?gclid=abc"
    assert submission.page_url == HOST_PAGE
    assert submission.click_ids == {"gclid": "abc"}


def test_in_the_embed_the_host_page_is_not_taken_for_a_referrer(app, client):
    query = "embed=1&page_url=http%3A%2F%2Flocalhost%3A8000%2Fresources"
    Visitor(client).submit("demo-ebook", query=query, Referer="http://localhost:8000/")

    lead, _ = stored(app)
    assert (lead.channel, lead.referrer) == ("direct", None)


def test_a_fixed_channel_from_the_embed_wins(app, client):
    query = "embed=1&channel=event&utm_source=google&utm_medium=cpc"
    Visitor(client).submit("demo-contact", query=query)

    lead, submission = stored(app)
    assert lead.channel == submission.channel == "event"
    assert submission.utm_medium == "cpc"  # raw values are kept


def test_the_embedded_form_keeps_embed_mode_across_its_steps(client):
    visitor = Visitor(client)
    page = visitor.open("demo-contact", "embed=1&lang=nl&page_url=http%3A%2F%2Flocalhost%3A8000%2F")
    html = page.get_data(as_text=True)
    assert 'class="lg-embedded"' in html and "embed-frame.js" in html

    second = visitor.post({"email": "a@b.nl", "name": "A", "company": "B", "consent": "y"})
    html = second.get_data(as_text=True)
    assert 'class="lg-embedded"' in html and "Stap 2 van 2" in html


def test_a_form_framed_by_a_foreign_origin_is_refused_with_a_way_out(app, client):
    restrict_embedding(app, "demo-contact", "http://localhost:8000")
    visitor = Visitor(client)
    visitor.open("demo-contact", "embed=1", Referer="https://evil.example/page")

    typed = {"email": "a@b.nl", "name": "A", "company": "B", "consent": "y"}
    refused = visitor.post(typed)

    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "cannot be sent from this page" in html
    assert BeautifulSoup(html, "html.parser").select_one(".lg-notice a")["href"] == (
        "/f/demo-contact"
    )
    assert {k: page_inputs(html)[k] for k in typed} == typed
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Lead.id))) == 0


def test_an_allowed_host_page_can_send_the_embedded_form(app, client):
    restrict_embedding(app, "demo-contact", "http://localhost:8000")
    visitor = Visitor(client)
    visitor.open("demo-contact", "embed=1", Referer="http://localhost:8000/")

    sent = visitor.post({"email": "a@b.nl", "name": "A", "company": "B", "consent": "y"})

    assert sent.status_code == 200
    assert 'name="sector"' in sent.get_data(as_text=True)
