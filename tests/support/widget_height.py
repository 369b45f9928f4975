"""Whether an embedded widget is exactly as tall as its form (the loader's auto-resize)."""

from playwright.sync_api import expect

from .browser import fill_contact, fill_qualify, frame_of


def expect_height_fits_content(page, selector):
    """The iframe is as tall as its document's body, and the document does not scroll."""
    frame = frame_of(page, selector)
    body_height = frame.evaluate("document.body.getBoundingClientRect().height")
    # The resize arrives by postMessage: wait for it rather than for a fixed time.
    page.wait_for_function(
        "([selector, height]) => Math.abs("
        "document.querySelector(selector).getBoundingClientRect().height - height) <= 2",
        arg=[selector, body_height],
    )
    box = page.locator(selector).bounding_box()
    assert abs(box["height"] - body_height) <= 2, (box["height"], body_height)
    scroll_height, client_height = frame.evaluate(
        "[document.documentElement.scrollHeight, document.documentElement.clientHeight]"
    )
    assert scroll_height <= client_height + 1, (scroll_height, client_height)


def walk_the_gate_checking_heights(page, selector):
    """Fill both steps of the embedded gate at `selector`, checking at each
    step (and at the thank-you) that the iframe fits its form; returns the
    frame, with the download link showing."""
    gate = page.frame_locator(selector)
    expect(gate.get_by_label("Work e-mail")).to_be_visible()
    expect_height_fits_content(page, selector)

    fill_contact(gate)
    gate.get_by_role("button", name="Next").click()
    expect(gate.get_by_label("Sector", exact=True)).to_be_visible()
    expect_height_fits_content(page, selector)

    fill_qualify(gate)
    gate.get_by_role("button", name="Get the e-book").click()
    expect(gate.get_by_role("link", name="Download the e-book")).to_be_visible()
    expect_height_fits_content(page, selector)
    return gate
