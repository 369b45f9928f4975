"""Keyboard and screen reader on the embedded form: axe-core finds nothing at
any step, in English and in Dutch, also at a phone's width; the e-book gate
can be completed with the keyboard alone, focus following each swap."""

from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from capture.demo.seed import DEMO_FORMS
from capture.extensions import db
from capture.models import Lead

from ..support.axe import AXE_JS, axe_violations, explain
from ..support.browser import GATE, fill_contact, fill_qualify, frame_of
from ..support.visitor import CONTACT

# The forms as the host page titles their iframes (data-title).
TITLES = {"demo-ebook": "Download the e-book", "demo-contact": "Ask for a demo"}
PHONE = {"width": 375, "height": 740}
EBOOK_TITLE = DEMO_FORMS[0]["texts"]["en"]["title"]
# What does not suit a phone: a page wider than the screen (sideways scrolling),
# and controls less than 44 px tall, as "id: height". A box is measured with
# its label beside it, which ticks it too.
PHONE_MISFITS = """() => {
  const page = document.documentElement;
  const wide = page.scrollWidth > page.clientWidth ? [`page: ${page.scrollWidth} px wide`] : [];
  const controls = document.querySelectorAll(
    '#lg-form input:not([type=hidden]):not([tabindex="-1"]), #lg-form select,'
    + ' #lg-form textarea, #lg-form button, #lg-form .lg-button');
  return wide.concat([...controls].flatMap(control => {
    const parts = [control, ...(control.type === 'checkbox' ? control.labels : [])]
      .map(element => element.getBoundingClientRect());
    const height = Math.max(...parts.map(r => r.bottom)) - Math.min(...parts.map(r => r.top));
    return height < 44 ? [`${control.id || control.textContent.trim()}: ${height} px`] : [];
  }));
}"""


def widget_selector(slug: str) -> str:
    return f"iframe[title='{TITLES[slug]}']"


def embedding_page(host_site: str, live_server: str, slug: str, lang: str) -> str:
    """The sample site's "Try your snippet" page showing `slug` in `lang` (data-lang)."""
    snippet = (
        f'<script src="{live_server}/embed.js" data-form="{slug}" data-lang="{lang}"'
        f' data-title="{TITLES[slug]}" async></script>'
    )
    return f"{host_site}/try?{urlencode({'snippet': snippet})}"


def settled(frame) -> None:
    """Wait until htmx has swapped and settled the form region."""
    frame.wait_for_function(
        "() => !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def send(frame) -> None:
    frame.locator("#lg-form button[type=submit]").click()


def axe_at_every_step(page, slug: str) -> dict[str, list[dict]]:
    """Walk the embedded form `slug` through its states, by id (the labels are
    in the page's language); return axe's violations at each state."""
    widget = page.frame_locator(widget_selector(slug))
    expect(widget.locator("#email")).to_be_visible()
    frame = frame_of(page, widget_selector(slug))
    found = {"step 1": axe_violations(frame)}

    send(frame)  # nothing filled in
    expect(widget.locator("#email")).to_have_attribute("aria-invalid", "true")
    settled(frame)
    found["step 1 with errors"] = axe_violations(frame)

    widget.locator("#email").fill(CONTACT["email"])
    widget.locator("#name").fill(CONTACT["name"])
    widget.locator("#company").fill(CONTACT["company"])
    widget.locator("#consent").check()
    send(frame)
    expect(widget.locator("#sector")).to_be_visible()
    settled(frame)
    found["step 2"] = axe_violations(frame)

    widget.locator("#sector").select_option("ict")
    send(frame)  # no number of employees
    expect(widget.locator("#headcount")).to_have_attribute("aria-invalid", "true")
    settled(frame)
    found["step 2 with an error"] = axe_violations(frame)

    widget.locator("#headcount").select_option("50-99")
    send(frame)
    expect(widget.get_by_role("status")).to_be_visible()
    settled(frame)
    found["thank-you"] = axe_violations(frame)
    return found


def explain_states(found: dict[str, list[dict]]) -> str:
    return "\n".join(f"{state}:\n{explain(violations)}" for state, violations in found.items())


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("slug", ["demo-ebook", "demo-contact"])
def test_the_embedded_form_has_no_axe_violations_at_any_step(
    app, live_server, host_site, page, slug, lang
):
    page.goto(embedding_page(host_site, live_server, slug, lang))
    widget = page.frame_locator(widget_selector(slug))
    expect(widget.locator("html")).to_have_attribute("lang", lang)

    found = axe_at_every_step(page, slug)

    assert len(found) == 5  # every state was reached and checked
    failing = {state: violations for state, violations in found.items() if violations}
    assert not failing, f"axe-core found, on {slug} in {lang}:\n{explain_states(failing)}"


@pytest.fixture
def phone_page(browser):
    """A page as wide as a phone's screen, touch included."""
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_on_a_phone_the_form_fits_and_has_no_axe_violations(app, host_site, phone_page):
    page = phone_page
    page.goto(f"{host_site}/resources")
    gate = page.frame_locator(GATE)
    expect(gate.locator("#email")).to_be_visible()
    frame = frame_of(page, GATE)
    send(frame)  # the state with the most to read: every error shown
    expect(gate.locator("#consent")).to_have_attribute("aria-invalid", "true")
    settled(frame)

    violations = axe_violations(frame)

    assert not violations, f"axe-core found, at {PHONE['width']} px:\n{explain(violations)}"
    misfits = {"step 1 with errors": frame.evaluate(PHONE_MISFITS)}
    fill_contact(gate)
    send(frame)
    expect(gate.locator("#sector")).to_be_visible()
    settled(frame)
    misfits["step 2"] = frame.evaluate(PHONE_MISFITS)
    fill_qualify(gate)
    send(frame)
    expect(gate.get_by_role("link", name="Download the e-book")).to_be_visible()
    settled(frame)
    misfits["thank-you"] = frame.evaluate(PHONE_MISFITS)
    assert misfits == {"step 1 with errors": [], "step 2": [], "thank-you": []}


def focus_is_on(page, target) -> bool:
    """Whether the page's focus is inside the widget's frame, on `target`."""
    in_frame = page.evaluate("s => document.activeElement === document.querySelector(s)", GATE)
    return in_frame and target.evaluate("element => element === document.activeElement")


def press_until_focused(page, key: str, target, limit: int = 30) -> None:
    """Press `key` (Tab or Shift+Tab) until `target` in the gate has the focus."""
    passed = []
    for _ in range(limit):
        if focus_is_on(page, target):
            return
        page.keyboard.press(key)
        passed.append(focused_element(page))
    pytest.fail(f"{key} never reached {target}; focus went through {passed}")


def focused_element(page) -> str:
    """The start of the focused element, inside the gate's frame when it is there."""
    in_gate = page.evaluate("s => document.activeElement === document.querySelector(s)", GATE)
    document = frame_of(page, GATE) if in_gate else page
    return document.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")


def expect_focus(page, target) -> None:
    """After a swap: the page's focus moves into the gate, onto `target`."""
    expect(target).to_be_focused()
    assert focus_is_on(page, target)


def test_the_gate_can_be_completed_with_the_keyboard_alone(app, host_site, page):
    page.goto(f"{host_site}/resources")
    gate = page.frame_locator(GATE)
    keys = page.keyboard
    heading = gate.locator("#lg-title")
    send_button = gate.locator("#lg-form button[type=submit]")

    # From the top of the customer's page into the form; Tab between fields.
    press_until_focused(page, "Tab", gate.get_by_label("Work e-mail"))
    keys.type(CONTACT["email"])
    keys.press("Tab")
    keys.type(CONTACT["name"])
    keys.press("Tab")
    keys.type(CONTACT["company"])
    # Past the consent box to the button, then back to tick the box.
    press_until_focused(page, "Tab", send_button)
    press_until_focused(page, "Shift+Tab", gate.get_by_label("I agree that my details are used"))
    keys.press("Space")
    press_until_focused(page, "Tab", send_button)
    keys.press("Enter")

    # Step 2: the heading says the step; the next Tab is its first question.
    expect_focus(page, heading)
    expect(heading).to_have_accessible_name(f"{EBOOK_TITLE} Step 2 of 2")
    sector = gate.get_by_label("Sector", exact=True)
    keys.press("Tab")
    expect_focus(page, sector)
    press_until_focused(page, "Tab", send_button)  # both questions left unanswered
    keys.press("Enter")

    # The failed send: focus on the first field with an error, which it describes.
    expect_focus(page, sector)
    expect(sector).to_have_accessible_description("Please choose your sector.")
    keys.type("ICT")  # a closed list picks the option its typed text starts
    keys.press("Tab")
    number = gate.get_by_label("Number of employees")
    expect_focus(page, number)
    expect(number).to_have_attribute("aria-invalid", "true")
    keys.type("50")
    press_until_focused(page, "Tab", send_button)
    keys.press("Enter")

    # The thank-you: its heading says it; the download link is the next Tab.
    expect_focus(page, heading)
    expect(heading).to_have_accessible_name(f"{EBOOK_TITLE} Thank you! Your e-book is ready.")
    keys.press("Tab")
    expect_focus(page, gate.get_by_role("link", name="Download the e-book"))
    with page.expect_download() as download:
        keys.press("Enter")

    with open(download.value.path(), "rb") as ebook:
        assert ebook.read(5) == b"%PDF-"
    with app.app_context():
        (lead,) = db.session.scalars(db.select(Lead)).all()
        assert (lead.email_key, lead.sector, lead.headcount) == (CONTACT["email"], "ict", "50-99")


def test_axe_core_is_for_the_tests_only_and_never_served(app, client):
    folders = [app.static_folder, *(bp.static_folder for bp in app.blueprints.values())]
    served = [Path(folder).resolve() for folder in folders if folder]
    assert not any(AXE_JS.resolve().is_relative_to(folder) for folder in served)
    for path in (
        "/static/axe.min.js",
        "/static/vendor/axe.min.js",
        "/static/vendor/axe-core/axe.min.js",
        "/tests/browser/vendor/axe-core/axe.min.js",
    ):
        assert client.get(path).status_code == 404, path
