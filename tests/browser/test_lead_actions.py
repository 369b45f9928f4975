"""A lead's actions in a real Chromium: htmx swaps the panel, the page stays."""

import re

import pytest
from playwright.sync_api import expect

from capture.extensions import db
from capture.models import Lead

from ..support.browser import log_in
from ..support.visitor import Visitor


@pytest.fixture
def lead_url(app, live_server, users, page):
    """An opportunity's page, opened by the logged-in sales person."""
    Visitor(app.test_client()).submit("demo-contact")
    with app.app_context():
        lead_id = db.session.scalars(db.select(Lead.id)).one()
    url = f"{live_server}/sales/leads/{lead_id}"
    log_in(page, live_server, users)
    page.goto(url)
    page.evaluate("window.__marker = 1")  # gone if the page reloads
    return url


def expect_same_document(page, url):
    assert page.url == url
    assert page.evaluate("window.__marker") == 1


def the_lead(app) -> Lead:
    with app.app_context():
        return db.session.scalars(db.select(Lead)).one()


def test_disqualifying_with_a_reason_swaps_in_the_new_status_and_log(app, page, lead_url):
    page.get_by_label("Move to").select_option("disqualified")
    page.get_by_label("Reason", exact=True).select_option("Competitor")
    page.get_by_role("button", name="Move").click()

    expect(page.get_by_role("status")).to_have_text("Moved to disqualified.")
    log = page.locator("#lead-log li").first
    expect(log).to_contain_text(re.compile(r"opportunity\s*→\s*disqualified"))
    expect(log).to_contain_text("Competitor")
    expect(log).to_contain_text("sales@leadgate.test")
    expect(page.locator("#lead-panel .badge--pinned")).to_be_visible()
    expect_same_document(page, lead_url)
    lead = the_lead(app)
    assert (lead.list, lead.reason, lead.pinned) == ("disqualified", "Competitor", True)


def test_disqualifying_without_a_reason_shows_the_error_in_place(app, page, lead_url):
    page.get_by_label("Move to").select_option("disqualified")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Move").click()

    assert posted.value.status == 422
    reason = page.get_by_label("Reason", exact=True)
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reason-error")).to_have_text("Choose why this lead is disqualified.")
    expect(page.get_by_label("Move to")).to_have_value("disqualified")
    expect_same_document(page, lead_url)
    assert the_lead(app).list == "opportunity"


def test_marking_contacted_and_won_updates_the_panel_in_place(app, page, lead_url):
    page.get_by_role("button", name="Mark contacted").click()

    expect(page.get_by_role("status")).to_have_text("Marked contacted.")
    expect(page.locator(".first-response")).to_contain_text("contacted")
    expect(page.get_by_role("button", name="Mark contacted")).to_have_count(0)

    page.get_by_role("button", name="Won").click()

    expect(page.get_by_role("status")).to_have_text("Marked won.")
    expect(page.locator(".outcome")).to_contain_text("won")
    expect_same_document(page, lead_url)
    lead = the_lead(app)
    assert lead.first_response_at is not None and lead.outcome == "won"
