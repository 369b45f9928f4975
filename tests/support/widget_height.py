"""Whether an embedded widget is exactly as tall as its form (the loader's auto-resize)."""

from .browser import frame_of


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
