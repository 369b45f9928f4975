"""The embedded widget in a real Chromium, on a customer site of another origin:
the e-book gate end to end, first-touch attribution across pages, auto-resize,
two widgets on one page, a form restricted to other sites and the cookie-free
defences. The sample site is listed nowhere: any site may embed a form."""

import re

from itsdangerous import URLSafeTimedSerializer
from playwright.sync_api import expect

from capture.extensions import db
from capture.intake.downloads import DOWNLOAD_SALT
from capture.models import Download, Form, Lead, Submission

from ..support.browser import DEMO, GATE, fill_contact, fill_qualify, frame_of, send_demo, send_gate
from ..support.csp import directive
from ..support.downloads import DayOldSigner
from ..support.embedding import restrict_embedding
from ..support.form_tokens import old_token
from ..support.visitor import CONTACT, Visitor
from ..support.widget_height import walk_the_gate_checking_heights


def stored(app, model):
    with app.app_context():
        return db.session.scalars(db.select(model)).all()


def counts(app):
    return len(stored(app, Lead)), len(stored(app, Submission))


def test_a_visitor_from_a_linkedin_ad_gets_the_ebook_on_a_later_page(
    app, remembering_host_site, page
):
    host_site = remembering_host_site
    landing = f"{host_site}/?utm_source=linkedin&utm_medium=paid-social&utm_campaign=autumn"
    page.goto(landing)
    page.get_by_role("link", name="Download the free e-book").click()
    expect(page).to_have_url(f"{host_site}/resources")

    gate = send_gate(page)
    with page.expect_download() as download:
        gate.get_by_role("link", name="Download the e-book").click()

    assert download.value.suggested_filename == "lead-management.pdf"
    with open(download.value.path(), "rb") as ebook:
        assert ebook.read(5) == b"%PDF-"
    (lead,) = stored(app, Lead)
    assert (lead.email_key, lead.channel, lead.utm_campaign) == (CONTACT["email"], "paid", "autumn")
    assert (lead.utm_source, lead.utm_medium) == ("linkedin", "paid-social")
    assert lead.landing_page == landing
    (submission,) = stored(app, Submission)
    assert submission.page_url == f"{host_site}/resources"
    assert submission.utm_campaign == "autumn"
    (recorded,) = stored(app, Download)
    assert (recorded.lead_id, recorded.submission_id) == (lead.id, submission.id)
    assert page.context.cookies() == []


def test_the_iframe_is_as_tall_as_its_content_at_every_step(app, host_site, page):
    page.goto(f"{host_site}/resources")
    expect(page.locator(GATE)).to_have_attribute("title", re.compile(r"\S"))
    walk_the_gate_checking_heights(page, GATE)


def test_two_widgets_on_one_page_and_a_snippet_pasted_twice(app, host_site, page):
    page.goto(f"{host_site}/both")

    expect(page.locator("iframe")).to_have_count(2)
    expect(page.locator(f"#gate {GATE}")).to_have_attribute("src", re.compile(r"/f/demo-ebook\?"))
    expect(page.locator(f"#demo {DEMO}")).to_have_attribute("src", re.compile(r"/f/demo-contact\?"))
    demo = page.frame_locator(DEMO)
    expect(demo.get_by_label("Zakelijk e-mailadres")).to_be_visible()
    expect(page.frame_locator(GATE).get_by_label("Work e-mail")).to_be_visible()

    dutch = {"email": "Zakelijk e-mailadres", "name": "Naam", "company": "Bedrijf"}
    fill_contact(demo, labels={**dutch, "consent": "Ik ga ermee akkoord"})
    demo.get_by_role("button", name="Volgende").click()
    fill_qualify(demo, headcount_label="Aantal medewerkers")
    demo.get_by_role("button", name="Versturen").click()
    expect(demo.get_by_role("status")).to_contain_text("Dank u")

    (submission,) = stored(app, Submission)
    with app.app_context():
        form = db.session.get(Form, submission.form_id)
        assert form.slug == "demo-contact"
    assert submission.completed_at is not None
    assert submission.page_url == f"{host_site}/both"


def test_a_page_without_a_form_only_records_where_the_visitor_came_from(
    app, remembering_host_site, page
):
    host_site = remembering_host_site
    landing = f"{host_site}/about?utm_source=google&utm_medium=cpc"
    page.goto(landing)
    expect(page.get_by_role("heading", name="About us")).to_be_visible()
    expect(page.locator("iframe")).to_have_count(0)

    page.get_by_role("link", name="Contact").click()
    send_demo(page)

    (lead,) = stored(app, Lead)
    assert (lead.channel, lead.utm_source, lead.utm_medium) == ("paid", "google", "cpc")
    assert lead.landing_page == landing
    assert stored(app, Submission)[0].page_url == f"{host_site}/contact"


def test_a_form_restricted_to_other_sites_cannot_be_framed_here(app, host_site, page):
    restrict_embedding(app, "demo-contact", "https://elsewhere.example")

    with page.expect_response(re.compile(r"/f/demo-contact\?")) as form_response:
        page.goto(f"{host_site}/contact")

    policy = form_response.value.headers["content-security-policy"]
    assert directive(policy, "frame-ancestors").split() == ["'self'", "https://elsewhere.example"]
    frame = frame_of(page, DEMO)
    # Chromium replaces a frame it refuses to show with its own error page.
    assert frame.url.startswith("chrome-error://"), frame.url
    expect(page.frame_locator(DEMO).locator("#email")).to_have_count(0)


def test_a_bot_filling_the_hidden_field_sees_a_thank_you_and_nothing_is_stored(
    app, host_site, page
):
    page.goto(f"{host_site}/contact")
    demo = page.frame_locator(DEMO)
    fill_contact(demo)
    frame_of(page, DEMO).evaluate(
        "document.getElementById('lg_trap').value = 'http://spam.example'"
    )
    demo.get_by_role("button", name="Next").click()

    expect(demo.get_by_role("status")).to_contain_text("Thank you")
    assert counts(app) == (0, 0)


def test_a_replayed_first_step_makes_one_submission(app, host_site, page):
    page.goto(f"{host_site}/contact")
    demo = page.frame_locator(DEMO)
    fill_contact(demo)
    frame = frame_of(page, DEMO)
    frame.evaluate(
        """() => {
            const form = document.querySelector("form");
            window.stepOne = {action: form.action, body: new URLSearchParams(new FormData(form))};
        }"""
    )
    demo.get_by_role("button", name="Next").click()
    expect(demo.get_by_label("Sector", exact=True)).to_be_visible()

    status, html = frame.evaluate(
        """async () => {
            const answer = await fetch(stepOne.action, {method: "POST", body: stepOne.body});
            return [answer.status, await answer.text()];
        }"""
    )

    assert status == 200 and 'name="sector"' in html
    assert counts(app) == (1, 1)


def test_an_expired_form_is_shown_again_with_what_was_typed(app, host_site, page):
    page.goto(f"{host_site}/resources")
    gate = page.frame_locator(GATE)
    stale = old_token(app, "demo-ebook")
    frame_of(page, GATE).evaluate("t => document.querySelector('[name=token]').value = t", stale)
    fill_contact(gate)
    gate.get_by_role("button", name="Next").click()

    expect(gate.get_by_role("alert")).to_contain_text("open for a while")
    expect(gate.get_by_label("Work e-mail")).to_have_value(CONTACT["email"])
    expect(gate.get_by_label("Name", exact=True)).to_have_value(CONTACT["name"])
    expect(gate.get_by_label("Company", exact=True)).to_have_value(CONTACT["company"])
    expect(gate.get_by_label("I agree that my details are used")).to_be_checked()
    expect(gate.locator("[name=token]")).not_to_have_value(stale)
    assert counts(app) == (0, 0)

    gate.get_by_role("button", name="Next").click()
    expect(gate.get_by_label("Sector", exact=True)).to_be_visible()
    assert counts(app) == (1, 1)


def download_token(app, signer=None) -> str:
    """A download token for the one gate submission, signed now or by `signer`."""
    Visitor(app.test_client()).submit("demo-ebook")
    (submission,) = stored(app, Submission)
    options = {"signer": signer} if signer else {}
    return URLSafeTimedSerializer(app.secret_key, salt=DOWNLOAD_SALT, **options).dumps(
        {"s": submission.id}
    )


def test_a_tampered_download_link_shows_not_found(app, live_server, page):
    token = download_token(app)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    response = page.goto(f"{live_server}/d/{tampered}")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("404")
    assert stored(app, Download) == []


def test_an_expired_download_link_offers_to_fill_the_form_again(app, live_server, page):
    token = download_token(app, signer=DayOldSigner)

    response = page.goto(f"{live_server}/d/{token}")

    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_contain_text("expired")
    page.get_by_role("link", name="Fill in the form again").click()
    expect(page).to_have_url(f"{live_server}/f/demo-ebook")
    expect(page.get_by_label("Work e-mail")).to_be_visible()
    assert stored(app, Download) == []


def test_without_data_remember_the_form_credits_its_own_page_and_nothing_is_kept(
    app, host_site, page
):
    page.goto(f"{host_site}/contact?utm_source=google&utm_medium=cpc&utm_campaign=spring")
    send_demo(page)

    (lead,) = stored(app, Lead)
    assert (lead.channel, lead.utm_campaign) == ("paid", "spring")
    assert page.evaluate("sessionStorage.length") == 0
