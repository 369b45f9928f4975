"""What the browser tests share: the Chromium they drive, logging in through
the login page, and filling the public form inside an embedded widget."""

from pathlib import Path

from playwright.sync_api import expect

from .auth import PASSWORD
from .visitor import CONTACT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def log_in(page, live_server, users, role="sales"):
    """Log in as `role` of the `users` fixture on the login page; wait for the leads page."""
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(users[role][1])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Incoming leads")).to_be_visible()


GATE = "iframe[title='Download the e-book']"
DEMO = "iframe[title='Ask for a demo']"


def frame_of(page, selector):
    """The iframe's document, to run scripts in it (it stays put across htmx swaps)."""
    return page.locator(selector).element_handle().content_frame()


def fill_contact(frame, email=CONTACT["email"], labels=None):
    labels = {
        "email": "Work e-mail",
        "name": "Name",
        "company": "Company",
        "consent": "I agree that my details are used",
        **(labels or {}),
    }
    frame.get_by_label(labels["email"]).fill(email)
    frame.get_by_label(labels["name"], exact=True).fill(CONTACT["name"])
    frame.get_by_label(labels["company"], exact=True).fill(CONTACT["company"])
    frame.get_by_label(labels["consent"]).check()


def fill_qualify(frame, headcount_label="Number of employees"):
    frame.get_by_label("Sector", exact=True).select_option("ict")
    frame.get_by_label(headcount_label).select_option("50-99")


def send_in_widget(page, selector: str, button: str, done: str):
    """Fill and send both steps of the form in the widget `selector` (its last
    button says `button`); it then says `done`. Returns the widget's frame."""
    widget = page.frame_locator(selector)
    fill_contact(widget)
    widget.get_by_role("button", name="Next").click()
    fill_qualify(widget)
    widget.get_by_role("button", name=button).click()
    expect(widget.get_by_role("status")).to_contain_text(done)
    return widget


def send_demo(page):
    """Fill and send both steps of the demo contact form in its widget."""
    return send_in_widget(page, DEMO, "Send", "Thank you")


def send_gate(page):
    """Fill and send both steps of the e-book gate in its widget."""
    return send_in_widget(page, GATE, "Get the e-book", "Your e-book is ready")
