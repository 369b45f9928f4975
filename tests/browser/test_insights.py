"""The insights page in Chromium: filters swap the report in, dates pick a custom range."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from capture.extensions import db
from capture.models import utcnow

from ..support.browser import log_in
from ..support.insights_dataset import add_lead


def channels_table(page):
    return page.locator("section[aria-labelledby=channels-title] table")


def test_choosing_a_period_swaps_the_report_in_and_keeps_it_in_the_address(
    app, live_server, page, users
):
    now = utcnow()
    with app.app_context():
        add_lead("recent", "paid", now - timedelta(days=3), "opportunity")
        add_lead("older", "search", now - timedelta(days=60), "nurture")
        db.session.commit()
    log_in(page, live_server, users)
    page.get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", name="Insights")).to_be_visible()
    page.evaluate("window.__marker = 1")
    expect(channels_table(page).locator("tbody th")).to_have_text(["paid"])

    page.get_by_label("Period", exact=True).select_option("90d")

    expect(channels_table(page).locator("tbody th")).to_have_text(["paid", "search"])
    expect(page).to_have_url(f"{live_server}/sales/insights/?period=90d")
    assert page.evaluate("window.__marker") == 1  # swapped in, not reloaded
    # The period's days are the business's (Europe/Amsterdam), not UTC's.
    since = (now.astimezone(ZoneInfo("Europe/Amsterdam")) - timedelta(days=89)).date().isoformat()
    expect(page.get_by_label("From (custom range)")).to_have_value(since)

    page.go_back()
    expect(channels_table(page).locator("tbody th")).to_have_text(["paid"])


def test_picking_a_date_makes_the_period_a_custom_range(app, live_server, page, users):
    now = utcnow()
    with app.app_context():
        add_lead("older", "search", now - timedelta(days=60), "nurture")
        db.session.commit()
    log_in(page, live_server, users)
    page.goto(f"{live_server}/sales/insights/")
    expect(page.locator("section[aria-labelledby=channels-title] .empty")).to_be_visible()

    page.get_by_label("From (custom range)").fill((now - timedelta(days=70)).date().isoformat())

    expect(page.get_by_label("Period", exact=True)).to_have_value("custom")
    expect(channels_table(page).locator("tbody th")).to_have_text(["search"])
    assert "period=custom" in page.url
