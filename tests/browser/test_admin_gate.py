"""The site owner's first gate, in Chromium: upload a PDF, make a gate that
allows the owner's own site, paste the snippet there, and a visitor on that
site fills it and downloads the PDF."""

from contextlib import ExitStack

import pytest
from playwright.sync_api import expect
from werkzeug.wrappers import Response

from capture.demo.ebook import build_pdf
from capture.extensions import db
from capture.models import Download, Form, Lead

from ..support.browser import fill_contact, fill_qualify, log_in
from ..support.servers import served
from ..support.visitor import CONTACT

SLUG = "pricing-guide"
TITLE = "Get the pricing guide"


@pytest.fixture
def serve_host_page(live_server):
    """Serve a customer's page with the one-line snippet for a form, on a new origin.

    Returns a function taking the slug and giving the page's origin,
    `http://localhost:<port>`: another origin than Leadgate's 127.0.0.1.
    """
    with ExitStack() as running:

        def serve(slug: str) -> str:
            html = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                "<title>Pricing · Bakkerij Jansen Software</title></head><body>"
                "<h1>Our pricing, explained</h1>"
                f'<script src="{live_server}/embed.js" data-form="{slug}" '
                f'data-title="{TITLE}" async></script></body></html>'
            )
            page = Response(html, mimetype="text/html")
            return f"http://localhost:{running.enter_context(served(page))}"

        yield serve


def test_a_new_gate_with_an_uploaded_pdf_works_on_the_owners_site(
    app, live_server, browser, page, users, serve_host_page
):
    pdf = build_pdf("Pricing for small firms", ["Three plans.", "One page."])
    site = serve_host_page(SLUG)
    log_in(page, live_server, users, role="admin")

    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="E-books").click()
    page.get_by_label("Title").fill("Pricing for small firms")
    page.get_by_label("File (PDF, EPUB or ZIP)").set_input_files(
        {"name": "pricing.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_contain_text("Uploaded “Pricing for small firms” (PDF")

    page.get_by_role("link", name="Forms", exact=True).click()
    page.get_by_role("link", name="New form").click()
    page.get_by_label("Address (slug)").fill(SLUG)
    page.get_by_label("Kind").select_option("gate")
    page.get_by_role("group", name="English").get_by_label("Title").fill(TITLE)
    # A new form may be embedded on any site: the owner lists nothing.
    page.get_by_label("E-book").select_option(label="Pricing for small firms (pricing.pdf)")
    page.get_by_role("button", name="Create the form").click()
    expect(page.get_by_role("status").first).to_contain_text(f"its page is /f/{SLUG}")
    expect(page.get_by_text("This gate has no e-book yet")).to_have_count(0)

    # The visitor: another browser context, on the owner's site.
    visit = browser.new_context(locale="en-US")
    try:
        visitor = visit.new_page()
        visitor.set_default_timeout(10_000)
        visitor.goto(f"{site}/?utm_source=newsletter&utm_medium=email")
        gate = visitor.frame_locator(f"iframe[title='{TITLE}']")
        expect(gate.get_by_role("heading", name=TITLE)).to_be_visible()
        fill_contact(gate)
        gate.get_by_role("button", name="Next").click()
        fill_qualify(gate)
        gate.get_by_role("button", name="Get the e-book").click()
        expect(gate.get_by_role("status")).to_contain_text("Your e-book is ready")
        with visitor.expect_download() as download:
            gate.get_by_role("link", name="Download the e-book").click()
        assert download.value.suggested_filename == "pricing.pdf"
        with open(download.value.path(), "rb") as ebook:
            assert ebook.read() == pdf
    finally:
        visit.close()

    with app.app_context():
        lead = db.session.scalars(db.select(Lead)).one()
        (submission,) = lead.submissions
        (recorded,) = db.session.scalars(db.select(Download)).all()
        assert (lead.email_key, lead.channel, lead.list) == (CONTACT["email"], "email", "nurture")
        assert submission.form.slug == SLUG and submission.page_url.startswith(site)
        assert (recorded.lead_id, recorded.ebook.title) == (lead.id, "Pricing for small firms")


def test_a_snippet_copied_from_admin_works_pasted_on_the_sample_site(
    app, live_server, browser, page, users, serve_host_site
):
    site = serve_host_site()
    log_in(page, live_server, users, role="admin")
    page.goto(f"{live_server}/admin/forms")
    page.get_by_role("link", name="New form").click()
    page.get_by_label("Address (slug)").fill("fair-demo")
    page.get_by_label("Kind").select_option("contact")
    page.get_by_role("group", name="English").get_by_label("Title").fill("Talk to us at the fair")
    page.get_by_role("button", name="Create the form").click()
    with app.app_context():
        form_id = db.session.scalar(db.select(Form.id).where(Form.slug == "fair-demo"))
    page.goto(f"{live_server}/admin/forms/{form_id}/embed")
    snippet = page.locator("#embed-snippet-code").input_value()

    visit = browser.new_context(locale="en-US")
    try:
        visitor = visit.new_page()
        visitor.goto(f"{site}/try")
        visitor.get_by_label("Snippet").fill(snippet)
        visitor.get_by_role("button", name="Show it on this page").click()
        form = visitor.frame_locator("#pasted-form iframe")
        expect(form.get_by_role("heading", name="Talk to us at the fair")).to_be_visible()
        fill_contact(form)
        form.get_by_role("button", name="Next").click()
        fill_qualify(form)
        form.get_by_role("button", name="Send").click()
        expect(form.get_by_role("status")).to_contain_text("Thank you")
    finally:
        visit.close()

    with app.app_context():
        (lead,) = db.session.scalars(db.select(Lead)).all()
        assert (lead.list, lead.reason) == (
            "opportunity",
            "Asked for contact, a demo or a quote (high intent)",
        )
        assert lead.submissions[0].page_url.startswith(f"{site}/try")
