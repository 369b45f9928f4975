"""The response targets page in a real Chromium: a change of a field
previews by itself (htmx swaps the preview alone, the fields stay as typed),
and without JavaScript the Preview and Save buttons post the page."""

from playwright.sync_api import expect

from capture.extensions import db
from capture.leads.clocks import start_clock, store_clock, stored_targets
from capture.models import utcnow

from ..support.browser import log_in
from ..support.clocks import amsterdam
from ..support.factories import make_lead


def waiting_leads(app) -> None:
    """A medium firm waiting since January 2025, a small one since now."""
    with app.app_context():
        for headcount, started_at in (("50-99", amsterdam(2025, 1, 6, 10)), ("2-9", utcnow())):
            lead = make_lead(headcount=headcount)
            store_clock(lead, start_clock(lead, started_at))
        db.session.commit()


def test_a_changed_field_previews_by_itself_and_keeps_what_is_typed(app, live_server, page, users):
    waiting_leads(app)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    log_in(page, live_server, users, role="admin")
    page.goto(f"{live_server}/admin/targets")
    medium = page.get_by_label("Opportunity, Medium (50-249): business hours")

    medium.fill("0")
    medium.press("Tab")

    expect(page.locator("#targets-preview #targets-problems")).to_contain_text("longer than zero")
    expect(medium).to_have_value("0")

    medium.fill("2")
    medium.press("Tab")
    page.get_by_label("Friday: open", exact=True).uncheck()

    overdue = page.locator("#targets-preview #targets-overdue")
    expect(overdue).to_contain_text("Overdue now: 1 of 2 leads with a running clock.")
    expect(page.locator("#targets-soonest tbody tr")).to_have_count(2)
    expect(page.get_by_label("Friday: open", exact=True)).not_to_be_checked()
    expect(medium).to_have_value("2")
    assert violations == []


def test_without_javascript_preview_and_save_post_the_page(app, live_server, no_js_page, users):
    waiting_leads(app)
    page = no_js_page
    log_in(page, live_server, users, role="admin")
    page.goto(f"{live_server}/admin/targets")
    page.get_by_label("Opportunity, Large (250+): business hours").fill("2")

    page.get_by_role("button", name="Preview").last.click()

    expect(page.locator("#targets-overdue")).to_contain_text("of 2 leads with a running clock")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash--info")).to_have_text(
        "Saved. 2 running clocks follow the new targets."
    )
    with app.app_context():
        assert stored_targets().by_list["opportunity"]["large"].total_seconds() == 2 * 3600
