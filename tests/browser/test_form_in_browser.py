"""The hosted form in a real Chromium: htmx swaps, focus, no-JS posts, no cookies."""

import re

from playwright.sync_api import expect

from capture.extensions import db
from capture.models import Lead

from ..support.visitor import CONTACT


def leads(app):
    with app.app_context():
        return db.session.scalars(db.select(Lead)).all()


def fill_contact(page, consent=True, **overrides):
    values = {**CONTACT, **overrides}
    page.get_by_label("Work e-mail").fill(values["email"])
    page.get_by_label("Name").fill(values["name"])
    page.get_by_label("Company").fill(values["company"])
    if consent:
        page.get_by_label("I agree that my details are used").check()


def fill_qualify(page, sector, headcount):
    page.get_by_label("Sector").select_option(sector)
    page.get_by_label("Number of employees").select_option(headcount)


def mark_window(page):
    """Set a flag on `window` that only survives as long as the page is not reloaded."""
    page.evaluate("window.__marker = 1")


def described(text):
    return re.compile(rf"^\W*{re.escape(text)}$")


def expect_same_document(page, url):
    assert page.url == url
    assert page.evaluate("window.__marker") == 1


def test_htmx_swaps_each_step_in_place_without_navigating(app, live_server, page):
    url = f"{live_server}/f/demo-contact?utm_source=linkedin&utm_medium=social"
    page.goto(url)
    mark_window(page)

    fill_contact(page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Sector")).to_be_visible()
    expect(page.get_by_role("heading", name="Ask for a demo")).to_be_focused()
    expect_same_document(page, url)

    fill_qualify(page, "manufacturing", "100-249")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    expect(page.get_by_role("link", name="Book a call now")).to_be_visible()
    expect_same_document(page, url)

    (lead,) = leads(app)
    assert (lead.email_key, lead.list, lead.channel) == (CONTACT["email"], "opportunity", "social")
    assert (lead.utm_source, lead.utm_medium) == ("linkedin", "social")


def test_htmx_shows_inline_errors_and_keeps_what_was_typed(app, live_server, page):
    url = f"{live_server}/f/demo-contact"
    page.goto(url)
    mark_window(page)

    fill_contact(page, consent=False, email="anna@")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Next").click()

    assert posted.value.status == 422
    email = page.get_by_label("Work e-mail")
    consent = page.get_by_label("I agree that my details are used")
    # The description is the error next to the field; CSS puts a warning sign before it.
    expect(email).to_have_accessible_description(described("Please enter a valid e-mail address."))
    expect(consent).to_have_accessible_description(described("Please agree so we may contact you."))
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("anna@")
    expect(page.get_by_label("Name")).to_have_value(CONTACT["name"])
    expect(page.get_by_label("Company")).to_have_value(CONTACT["company"])
    expect(consent).not_to_be_checked()
    expect(email).to_be_focused()
    expect_same_document(page, url)
    assert leads(app) == []


def test_the_form_works_without_javascript(app, live_server, no_js_page):
    page = no_js_page
    page.goto(f"{live_server}/f/demo-ebook")

    fill_contact(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Next").click()
    fill_qualify(page, "ict", "50-99")
    with page.expect_navigation():
        page.get_by_role("button", name="Get the e-book").click()

    expect(page.get_by_role("status")).to_contain_text("Thank you")
    (lead,) = leads(app)
    assert (lead.email_key, lead.list) == (CONTACT["email"], "nurture")
    assert (lead.sector, lead.headcount) == ("ict", "50-99")


def test_a_real_browser_gets_no_cookies_from_public_pages(app, live_server, page):
    page.goto(f"{live_server}/f/demo-ebook")
    fill_contact(page)
    page.get_by_role("button", name="Next").click()
    fill_qualify(page, "ict", "50-99")
    page.get_by_role("button", name="Get the e-book").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")

    assert len(leads(app)) == 1
    assert page.context.cookies() == []


def _post_fails(route, failure):
    if route.request.method != "POST":
        route.continue_()
    elif failure == "offline":
        route.abort("internetdisconnected")
    else:
        route.fulfill(status=503, body="Service Unavailable", headers={"Retry-After": "30"})


def test_when_sending_fails_the_visitor_is_told_and_keeps_what_they_typed(app, live_server, page):
    page.goto(f"{live_server}/f/demo-contact")
    mark_window(page)
    fill_contact(page)
    next_button = page.get_by_role("button", name="Next")

    for failure in ("offline", "503"):
        page.route("**/f/demo-contact*", lambda route, f=failure: _post_fails(route, f))
        next_button.click()
        expect(page.locator(".lg-problem")).to_contain_text("Everything you typed is still here")
        expect(page.get_by_label("Work e-mail")).to_have_value(CONTACT["email"])
        expect(page.get_by_label("Company")).to_have_value(CONTACT["company"])
        page.unroute("**/f/demo-contact*")
    assert leads(app) == []

    next_button.click()

    expect(page.get_by_label("Sector")).to_be_visible()
    expect_same_document(page, f"{live_server}/f/demo-contact")
    assert len(leads(app)) == 1
