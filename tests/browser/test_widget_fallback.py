"""Never a broken box: when the form cannot show in its frame (restricted to
other sites, blocked, Leadgate down, or just slow), the loader puts a link to
the hosted form in its place within seconds, carrying the same query as the
frame, and tells the site owner why in one console line."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from capture.extensions import db
from capture.models import Lead

from ..support.browser import GATE, fill_contact, fill_qualify
from ..support.embedding import restrict_embedding
from ..support.host_page import host_page
from ..support.outage import stoppable
from ..support.servers import served
from ..support.widget_height import expect_height_fits_content

GATE_SNIPPET = {"data-form": "demo-ebook", "data-title": "Download the e-book"}
CAMPAIGN = "/?utm_source=google&utm_medium=cpc&utm_campaign=spring"
ELSEWHERE = "https://elsewhere.example"
# The loader waits 3 s for the frame's height; the link is there within 5 s of navigating
# (the margin covers the host page loading on a busy machine).
IN_TIME_MS = 5_000
THE_FRAME = re.compile(r"/f/demo-ebook\?")


def fallback_link(page, leadgate: str):
    """The loader's link to a hosted form of `leadgate` (links inside the frame are not matched)."""
    return page.locator(f'a[href^="{leadgate}/f/"]')


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def leadgate_lines(page) -> list[str]:
    """Every console line the loader writes, from now on."""
    lines = []
    page.on("console", lambda m: lines.append(m.text) if m.text.startswith("Leadgate:") else None)
    return lines


def a_leadgate_line(message) -> bool:
    return message.text.startswith("Leadgate:")


def test_a_form_restricted_to_other_sites_shows_a_link_that_carries_the_campaign(
    app, live_server, serve_host_page, page
):
    restrict_embedding(app, "demo-ebook", ELSEWHERE)
    site = serve_host_page(GATE_SNIPPET)
    lines = leadgate_lines(page)

    with page.expect_console_message(a_leadgate_line) as line:
        page.goto(site + CAMPAIGN, wait_until="commit")
        link = page.get_by_role("link", name="Download the e-book")
        expect(link).to_be_visible(timeout=IN_TIME_MS)

    href = link.get_attribute("href")
    assert href.startswith(f"{live_server}/f/demo-ebook?")
    frame_query = query_of(page.locator(GATE).get_attribute("src"))
    assert frame_query.pop("embed") == ["1"]
    assert query_of(href) == frame_query
    assert {
        name: query_of(href)[name] for name in ("utm_source", "utm_medium", "utm_campaign")
    } == {
        "utm_source": ["google"],
        "utm_medium": ["cpc"],
        "utm_campaign": ["spring"],
    }
    assert query_of(href)["landing_page"] == [site + CAMPAIGN]
    assert (link.get_attribute("target"), link.get_attribute("rel")) == ("_blank", "noopener")
    # The refused frame stays in the page, out of sight: no grey box.
    expect(page.locator(GATE)).to_be_hidden()
    assert line.value.type == "warning"
    assert line.value.text == (
        f"Leadgate: form demo-ebook is not allowed on {site}; add it in Admin \u2192 Forms"
    )
    assert lines == [line.value.text]

    with page.expect_popup() as opened:
        link.click()
    tab = opened.value
    expect(tab).to_have_url(href)
    assert tab.evaluate("window.opener") is None
    fill_contact(tab)
    tab.get_by_role("button", name="Next").click()
    fill_qualify(tab)
    tab.get_by_role("button", name="Get the e-book").click()
    expect(tab.get_by_role("status")).to_contain_text("Your e-book is ready")
    with app.app_context():
        lead = db.session.scalars(db.select(Lead)).one()
        assert (lead.channel, lead.utm_source, lead.utm_campaign) == ("paid", "google", "spring")
        assert lead.landing_page == site + CAMPAIGN


def test_leadgate_stopped_mid_visit_leaves_a_link_not_a_grey_box(app, page):
    with stoppable(app) as leadgate:
        leadgate_url = f"http://127.0.0.1:{leadgate.port}"
        app.config["LEADS_BASE_URL"] = leadgate_url
        with served(host_page(leadgate_url, GATE_SNIPPET)) as port:
            site = f"http://localhost:{port}"
            page.goto(site + CAMPAIGN)
            expect(page.frame_locator(GATE).get_by_label("Work e-mail")).to_be_visible()

            leadgate.stop()
            with page.expect_console_message(a_leadgate_line) as line:
                # The next page runs the loader from the browser's cache: Leadgate is gone.
                page.get_by_role("link", name="Our offer").click()
                expect(page).to_have_url(f"{site}/next")
                link = fallback_link(page, leadgate_url)
                expect(link).to_be_visible(timeout=IN_TIME_MS)

            assert link.get_attribute("href").startswith(f"{leadgate_url}/f/demo-ebook?")
            assert query_of(link.get_attribute("href"))["page_url"] == [f"{site}/next"]
            expect(page.locator(GATE)).to_be_hidden()
            assert line.value.text == (
                f"Leadgate: {leadgate_url} cannot be reached; showing a link to form demo-ebook"
                " instead"
            )


def test_a_frame_blocked_by_an_extension_gives_the_link_and_says_so(
    app, live_server, serve_host_page, page
):
    site = serve_host_page(GATE_SNIPPET)
    # What an ad blocker does to a request it does not like.
    page.route(THE_FRAME, lambda route: route.abort("blockedbyclient"))

    with page.expect_console_message(a_leadgate_line) as line:
        page.goto(site + CAMPAIGN, wait_until="commit")
        expect(fallback_link(page, live_server)).to_be_visible(timeout=IN_TIME_MS)

    assert line.value.text == (
        "Leadgate: form demo-ebook did not load (blocked by the browser or an extension?);"
        " showing a link instead"
    )


def test_a_frame_that_reports_in_late_takes_the_place_of_its_link(
    app, live_server, serve_host_page, page
):
    site = serve_host_page(GATE_SNIPPET)
    held = []  # the frame's request, answered when the test says: a slow network
    page.route(THE_FRAME, lambda route: held.append(route))
    page.goto(site + CAMPAIGN, wait_until="commit")
    link = fallback_link(page, live_server)
    expect(link).to_be_visible(timeout=IN_TIME_MS)
    expect(page.locator(GATE)).to_be_hidden()

    (request,) = held
    request.continue_()

    expect(page.frame_locator(GATE).get_by_label("Work e-mail")).to_be_visible()
    expect(link).to_have_count(0)
    expect_height_fits_content(page, GATE)


def test_a_form_that_does_not_exist_says_to_check_data_form(
    app, live_server, serve_host_page, page
):
    site = serve_host_page({"data-form": "no-such-form"})

    with page.expect_console_message(a_leadgate_line) as line:
        page.goto(site + "/", wait_until="commit")
        expect(fallback_link(page, live_server)).to_be_visible(timeout=IN_TIME_MS)

    assert line.value.text == (
        'Leadgate: form no-such-form does not exist or is archived; check data-form="no-such-form"'
    )


def test_data_field_values_reach_the_frame_and_the_link_as_field_names(
    app, live_server, serve_host_page, page
):
    restrict_embedding(app, "demo-ebook", ELSEWHERE)
    snippet = {"data-form": "demo-ebook", "data-field-plan": "pro & co", "data-field-q3_id": "42"}
    site = serve_host_page(snippet)

    page.goto(site + "/", wait_until="commit")
    link = page.get_by_role("link", name="Open the form")
    expect(link).to_be_visible(timeout=IN_TIME_MS)

    frame_query = query_of(page.locator("iframe").get_attribute("src"))
    link_query = query_of(link.get_attribute("href"))
    for query in frame_query, link_query:
        assert (query["field_plan"], query["field_q3_id"]) == (["pro & co"], ["42"])
    assert frame_query["embed"] == ["1"] and "embed" not in link_query


@pytest.mark.parametrize(
    ("page_lang", "data_lang", "text"),
    [
        ("nl", None, "Open het formulier"),
        ("en", "nl", "Open het formulier"),
        ("nl", "en", "Open the form"),
    ],
)
def test_without_a_title_the_link_speaks_the_form_s_language(
    app, serve_host_page, page, page_lang, data_lang, text
):
    restrict_embedding(app, "demo-ebook", ELSEWHERE)
    snippet = {"data-form": "demo-ebook", **({"data-lang": data_lang} if data_lang else {})}
    site = serve_host_page(snippet, lang=page_lang)

    page.goto(site + "/", wait_until="commit")

    expect(page.get_by_role("link", name=text, exact=True)).to_be_visible(timeout=IN_TIME_MS)


def test_the_host_page_s_own_css_cannot_hide_the_link_or_its_focus(
    app, live_server, serve_host_page, page
):
    restrict_embedding(app, "demo-ebook", ELSEWHERE)
    # What careless site CSS does to links: hide them, blank them, drop the focus ring.
    careless = (
        "a { display: none !important; color: transparent !important; background: none; }"
        " :focus { outline: 0 !important; }"
    )
    site = serve_host_page(GATE_SNIPPET, style=careless)

    page.goto(site + "/", wait_until="commit")
    link = fallback_link(page, live_server)
    expect(link).to_be_visible(timeout=IN_TIME_MS)
    expect(link).to_have_css("color", "rgb(255, 255, 255)")
    expect(link).to_have_css("background-color", "rgb(29, 91, 216)")

    page.keyboard.press("Tab")  # the site's own link is hidden by its CSS: this is the first
    expect(link).to_be_focused()
    expect(link).to_have_css("outline-style", "solid")
