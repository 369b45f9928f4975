"""The embed page in Chromium: the live preview, Copy, and the htmx variants."""

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from capture.extensions import db
from capture.models import Form

from ..support.browser import log_in

PREVIEW = "#embed-preview-box iframe"


def open_embed_page(app, page, live_server, users, slug="demo-ebook"):
    with app.app_context():
        form_id = db.session.scalar(db.select(Form.id).where(Form.slug == slug))
    log_in(page, live_server, users, role="admin")
    page.goto(f"{live_server}/admin/forms/{form_id}/embed")
    return f"{live_server}/admin/forms/{form_id}/embed"


def test_the_live_preview_renders_the_form_as_visitors_see_it(app, live_server, page, users):
    open_embed_page(app, page, live_server, users)

    preview = page.frame_locator(PREVIEW)

    expect(preview.get_by_label("Work e-mail")).to_be_visible()
    expect(page.locator(PREVIEW)).to_have_attribute(
        "title", "Preview: Free e-book: lead management for small firms"
    )
    expect(page.get_by_text("becomes a real lead")).to_be_visible()


def test_copy_puts_the_snippet_on_the_clipboard(app, live_server, page, users):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    open_embed_page(app, page, live_server, users)
    snippet = page.get_by_label("Embed snippet")
    expect(snippet).to_have_value(
        f'<script src="{live_server}/embed.js" data-form="demo-ebook" async></script>\n'
        f'<noscript><a href="{live_server}/f/demo-ebook">Download the e-book</a></noscript>'
    )

    page.get_by_role("button", name="Copy the snippet").click()

    expect(page.locator("#embed-snippet .copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == snippet.input_value()


def test_a_variant_swaps_in_the_snippet_and_a_preview_in_that_language(
    app, live_server, page, users
):
    url = open_embed_page(app, page, live_server, users)
    expect(page.frame_locator(PREVIEW).get_by_label("Work e-mail")).to_be_visible()
    page.evaluate("window.__marker = 1")

    page.get_by_label("Language (data-lang)").select_option("nl")

    expect(page.get_by_label("Embed snippet")).to_have_value(re.compile('data-lang="nl"'))
    expect(page.frame_locator(PREVIEW).get_by_label("Zakelijk e-mailadres")).to_be_visible()
    expect(page).to_have_url(f"{url}?lang=nl&qr_campaign=fair")
    assert page.evaluate("window.__marker") == 1  # swapped in, not reloaded


def test_the_link_builder_and_qr_code_keep_the_chosen_variant(app, live_server, page, users):
    url = open_embed_page(app, page, live_server, users)
    page.get_by_label("Fixed channel (data-channel)").select_option("event")
    expect(page.get_by_label("Embed snippet")).to_have_value(re.compile('data-channel="event"'))

    page.get_by_label("Source (utm_source)").fill("linkedin")
    page.get_by_label("Campaign (utm_campaign)").fill("Beurs & Co 2026")
    page.get_by_role("button", name="Build the link").click()

    link = page.get_by_label("The link")
    expect(link).to_have_value(
        f"{live_server}/f/demo-ebook?utm_source=linkedin&utm_campaign=Beurs%20%26%20Co%202026"
    )
    expect(page.get_by_label("Embed snippet")).to_have_value(re.compile('data-channel="event"'))
    assert parse_qs(urlsplit(page.url).query)["channel"] == ["event"]

    page.get_by_label("Campaign", exact=True).fill("Vakbeurs 2026")
    page.get_by_role("button", name="Make the QR code").click()

    image = page.get_by_role("img", name="QR code for")
    qr_path = urlsplit(url).path.replace("/embed", "/qr.svg")
    expect(image).to_have_attribute("src", f"{qr_path}?utm_campaign=Vakbeurs+2026")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    expect(link).to_have_value(
        f"{live_server}/f/demo-ebook?utm_source=linkedin&utm_campaign=Beurs%20%26%20Co%202026"
    )
