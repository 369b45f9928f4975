"""Owners in a real Chromium: reassigning on the lead's page (htmx, and without
JavaScript), and booking a call with the owner from the widget's thank-you."""

import re

import pytest
from playwright.sync_api import expect

from capture.extensions import db
from capture.models import Lead, User

from ..support.browser import DEMO, log_in, send_demo
from ..support.people import add_person
from ..support.visitor import Visitor


def the_lead(app) -> Lead:
    with app.app_context():
        lead = db.session.scalars(db.select(Lead)).one()
        db.session.expunge(lead)
        return lead


def name_the_sales_person(app, users, booking_url: str | None = None) -> None:
    with app.app_context():
        person = db.session.get(User, users["sales"][0])
        person.name, person.booking_url = "Sanne de Vries", booking_url
        db.session.commit()


@pytest.fixture
def lead_url(app, live_server, users):
    """An opportunity of the sales person Sanne; Bas takes leads too."""
    name_the_sales_person(app, users)
    Visitor(app.test_client()).submit("demo-contact")
    add_person(app, "bas@leadgate.test", name="Bas Bakker")
    return f"{live_server}/sales/leads/{the_lead(app).id}"


def reassign_to_bas(page) -> None:
    page.get_by_label("Give to").select_option(label="Bas Bakker")
    page.get_by_label("Why", exact=True).fill("Bas knows this bakery")
    page.get_by_role("button", name="Reassign").click()


def expect_given_to_bas(page) -> None:
    expect(page.get_by_role("status")).to_have_text("Given to Bas Bakker.")
    expect(page.locator("dd.owner")).to_have_text("Bas Bakker")
    latest = page.locator("#lead-owners li").first
    expect(latest).to_contain_text(re.compile(r"Sanne de Vries\s*→\s*Bas Bakker"))
    expect(latest).to_contain_text("Bas knows this bakery")


def test_reassigning_swaps_in_the_new_owner_and_the_log(app, live_server, users, page, lead_url):
    log_in(page, live_server, users)
    page.goto(lead_url)
    page.evaluate("window.__marker = 1")  # gone if the page reloads

    reassign_to_bas(page)

    expect_given_to_bas(page)
    assert page.url == lead_url and page.evaluate("window.__marker") == 1
    assert the_lead(app).owner_id != users["sales"][0]


def test_reassigning_works_without_javascript(app, live_server, users, no_js_page, lead_url):
    log_in(no_js_page, live_server, users)
    no_js_page.goto(lead_url)

    reassign_to_bas(no_js_page)

    expect_given_to_bas(no_js_page)
    assert no_js_page.url == lead_url


def test_a_reason_left_out_is_asked_for_in_place(app, live_server, users, page, lead_url):
    log_in(page, live_server, users)
    page.goto(lead_url)
    page.get_by_label("Give to").select_option(label="Bas Bakker")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Reassign").click()

    assert posted.value.status == 422
    expect(page.get_by_label("Why", exact=True)).to_have_attribute("aria-invalid", "true")
    with app.app_context():
        bas = db.session.scalars(db.select(User.id).where(User.email == "bas@leadgate.test")).one()
    expect(page.get_by_label("Give to")).to_have_value(str(bas))  # kept as chosen
    assert the_lead(app).owner_id == users["sales"][0]


# Headless Chromium says "HeadlessChrome", which the intake takes for a robot.
A_PERSONS_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)


@pytest.fixture
def persons_page(browser):
    context = browser.new_context(locale="en-US", user_agent=A_PERSONS_CHROME)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_widget_offers_a_call_with_the_owner_and_the_opening_is_recorded(
    app, host_site, users, persons_page
):
    page = persons_page
    calendar = f"{host_site}/"  # stands in for the owner's calendar page
    name_the_sales_person(app, users, booking_url=calendar)
    page.goto(f"{host_site}/contact")

    widget = send_demo(page)
    with page.expect_popup() as opened:
        widget.get_by_role("link", name="Book a call with Sanne de Vries").click()

    booking = opened.value
    booking.wait_for_load_state()
    assert booking.url == calendar
    assert booking.evaluate("window.opener") is None
    assert booking.evaluate("document.referrer") == ""  # the booking site learns nothing
    assert the_lead(app).booking_opened_at is not None
    expect(page.frame_locator(DEMO).get_by_role("status")).to_contain_text("Thank you")
