"""One pasted line works on any site: a page of the test's own, on an origin no
form lists (not the sample site), shows the demo gate, resizes it at every
step, delivers the e-book and credits the page's campaign."""

from playwright.sync_api import expect

from capture.extensions import db
from capture.models import Download, Lead, Submission

from ..support.browser import GATE
from ..support.visitor import CONTACT
from ..support.widget_height import walk_the_gate_checking_heights

GATE_SNIPPET = {"data-form": "demo-ebook", "data-title": "Download the e-book"}


def stored(app, model):
    with app.app_context():
        return db.session.scalars(db.select(model)).all()


def test_a_site_no_form_lists_shows_the_gate_and_credits_its_campaign(
    app, live_server, serve_host_page, page
):
    site = serve_host_page(GATE_SNIPPET)
    landing = f"{site}/?utm_source=bing&utm_medium=cpc&utm_campaign=winter-ebook"

    page.goto(landing)
    gate = walk_the_gate_checking_heights(page, GATE)
    with page.expect_download() as download:
        gate.get_by_role("link", name="Download the e-book").click()

    with open(download.value.path(), "rb") as ebook:
        assert ebook.read(5) == b"%PDF-"
    (lead,) = stored(app, Lead)
    assert lead.email_key == CONTACT["email"]
    assert (lead.channel, lead.utm_source, lead.utm_medium, lead.utm_campaign) == (
        "paid",
        "bing",
        "cpc",
        "winter-ebook",
    )
    assert lead.landing_page == landing
    (submission,) = stored(app, Submission)
    assert submission.page_url == landing
    assert len(stored(app, Download)) == 1
    # The frame reported in: no link to the hosted form took its place.
    expect(page.locator(f'a[href^="{live_server}/f/"]')).to_have_count(0)
