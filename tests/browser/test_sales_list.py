"""The incoming-leads page in Chromium: htmx filters, the URL, back, more rows,
the response clocks' badges and order."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from capture.extensions import db
from capture.models import User, utcnow

from ..support.browser import log_in
from ..support.factories import make_lead
from ..support.servers import served
from ..support.visitor import Visitor


def seed(app, count=0, **named):
    """Leads of the sales person, who sees them on My leads (the list they open on)."""
    with app.app_context():
        mine = db.session.scalar(db.select(User.id).where(User.role == "sales"))
        for name, spec in named.items():
            make_lead(name=name, owner_id=mine, **spec)
        for number in range(count):
            make_lead(name=f"filler-{number:02}", days_ago=3 + number / 10, score=10, owner_id=mine)
        db.session.commit()


def rows(page):
    return page.locator("td.who a")


def test_searching_swaps_the_results_in_keeps_the_url_and_the_back_button_works(
    app, live_server, page, users
):
    seed(app, jansen={"company": "Bakkerij Jansen", "days_ago": 1}, visser={"days_ago": 2})
    log_in(page, live_server, users)
    page.evaluate("window.__marker = 1")
    expect(rows(page)).to_have_count(2)

    page.get_by_label("Search name, company or e-mail").fill("jansen")

    expect(rows(page)).to_have_text(["jansen"])
    expect(page).to_have_url(f"{live_server}/sales/?list=opportunity&q=jansen")
    assert page.evaluate("window.__marker") == 1  # swapped in, not reloaded

    page.get_by_label("Channel").select_option("social")
    expect(rows(page)).to_have_count(0)
    expect(page.locator(".empty")).to_contain_text("You have no leads here with these filters")

    page.go_back()
    expect(page).to_have_url(f"{live_server}/sales/?list=opportunity&q=jansen")
    expect(rows(page)).to_have_text(["jansen"])
    expect(page.get_by_label("Search name, company or e-mail")).to_have_value("jansen")


def test_show_more_appends_the_next_page_in_place(app, live_server, page, users):
    seed(app, count=60)
    log_in(page, live_server, users)
    expect(rows(page)).to_have_count(50)
    page.evaluate("window.__marker = 1")

    page.get_by_role("link", name="Show more leads").click()

    expect(rows(page)).to_have_count(60)
    expect(page.get_by_role("link", name="Show more leads")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1
    names = rows(page).all_text_contents()
    assert len(set(names)) == 60


def test_the_score_breakdown_opens_on_click(app, live_server, page, users):
    seed(
        app,
        anna={
            "score": 140,
            "fit_score": 80,
            "engagement_score": 60,
            "score_reasons": ["100-249 employees: +80"],
        },
    )
    log_in(page, live_server, users)
    breakdown = page.get_by_text("fit 80 + engagement 60")
    expect(breakdown).to_be_hidden()

    page.locator(".score summary").click()

    expect(breakdown).to_be_visible()
    expect(page.get_by_text("100-249 employees: +80")).to_be_visible()


def test_on_a_phone_the_rows_become_readable_cards(app, live_server, browser, users):
    seed(app, anna={"company": "Bakkerij Jansen"})
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    log_in(page, live_server, users)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("thead")).to_be_hidden()
    expect(page.get_by_text("Bakkerij Jansen")).to_be_visible()
    context.close()


def test_new_leads_are_announced_on_the_open_list_without_losing_the_place(
    app, make_app, page, users
):
    # The same database as `app` (demo forms, users), polled every second.
    polling = make_app(LEADS_LIVE_POLL_SECONDS=1)
    seed(app, count=3)
    with served(polling) as port:
        base = f"http://127.0.0.1:{port}"
        log_in(page, base, users)
        page.get_by_label("Search name, company or e-mail").fill("filler")
        expect(page).to_have_url(f"{base}/sales/?list=opportunity&q=filler")  # swapped in
        expect(rows(page)).to_have_count(3)
        page.evaluate("window.__marker = 1")

        Visitor(app.test_client()).submit(
            "demo-contact", contact={"email": "new@example.nl", "name": "filler new"}
        )

        banner = page.locator("#fresh a")
        expect(banner).to_have_text("1 new lead came in — show the list again", timeout=10_000)
        expect(rows(page)).to_have_count(3)  # the list itself stays as it was
        assert page.evaluate("window.__marker") == 1
        banner.click()
        expect(rows(page)).to_have_count(4)


def test_a_sales_person_opens_on_my_leads_and_can_see_everyones(app, live_server, page, users):
    seed(app, mine={"company": "Bakkerij Jansen", "days_ago": 0.5})
    with app.app_context():
        bas = User(email="bas@leadgate.test", name="Bas Bakker", role="sales", password_hash="-")
        db.session.add(bas)
        db.session.flush()
        make_lead(name="theirs", company="Visser Logistiek", owner_id=bas.id, days_ago=1)
        make_lead(name="nobodys", company="Smit Techniek", days_ago=2)
        db.session.commit()
    log_in(page, live_server, users)
    page.evaluate("window.__marker = 1")

    expect(page.get_by_role("heading", name="My leads")).to_be_visible()
    expect(rows(page)).to_have_text(["mine"])

    page.get_by_label("Owner").select_option(label="Everyone")
    expect(rows(page)).to_have_text(["mine", "theirs", "nobodys"])
    expect(page).to_have_url(f"{live_server}/sales/?list=opportunity&owner=all")
    expect(page.locator("tr", has_text="theirs")).to_contain_text("Bas Bakker")
    expect(page.locator("tr", has_text="nobodys")).to_contain_text("unassigned")

    page.get_by_label("Owner").select_option(label="Unassigned")
    expect(rows(page)).to_have_text(["nobodys"])
    assert page.evaluate("window.__marker") == 1  # swapped in by htmx, not reloaded

    page.go_back()
    expect(rows(page)).to_have_text(["mine", "theirs", "nobodys"])


def test_the_clocks_badges_put_the_overdue_first_and_marking_contacted_stops_one(
    app, live_server, page, users
):
    now = utcnow()
    seed(
        app,
        best={"score": 200, "days_ago": 0.1},
        due_soon={"score": 10, "respond_by": now + timedelta(minutes=45, seconds=30)},
        overdue={"score": 10, "days_ago": 1, "respond_by": now - timedelta(hours=2, minutes=1)},
    )
    log_in(page, live_server, users)

    expect(rows(page)).to_have_text(["overdue", "due_soon", "best"])
    badges = page.locator("td .due")
    expect(badges.nth(0)).to_have_text("overdue 2 h 1 min")
    expect(badges.nth(1)).to_have_text(re.compile(r"^respond by (\w+ )?\d\d:\d\d \(in 45 min\)$"))
    expect(badges).to_have_count(2)  # no clock, no badge
    # Overdue reads as the danger it is, not only by its words.
    assert badges.nth(0).evaluate("e => getComputedStyle(e).color") == "rgb(179, 38, 30)"

    page.get_by_label("Overdue only").check()
    expect(rows(page)).to_have_text(["overdue"])
    expect(page).to_have_url(re.compile(r"[?&]due=overdue"))

    rows(page).first.click()
    page.get_by_role("button", name="Mark contacted").click()
    expect(page.locator(".flash")).to_have_text("Marked contacted.")
    expect(page.locator(".respond-by")).to_have_count(0)

    page.goto(f"{live_server}/sales/")
    expect(rows(page)).to_have_text(["due_soon", "best", "overdue"])
    expect(badges).to_have_count(1)
