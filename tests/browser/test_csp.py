"""The Content-Security-Policy in Chromium: the pages work under it, and nothing is refused."""

from playwright.sync_api import expect

from ..support.browser import log_in, send_demo

# Collects every CSP violation in every frame of the page, before any script runs.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def violations(page):
    found = []
    for frame in page.frames:
        found += frame.evaluate("window.__csp || []")
    return found


def test_the_widget_works_on_a_customer_site_without_a_single_csp_violation(host_site, page):
    page.add_init_script(RECORD_VIOLATIONS)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{host_site}/contact")
    send_demo(page)

    assert violations(page) == [] and refused == []


def test_sales_and_admin_pages_work_under_the_policy(app, live_server, page, users):
    page.add_init_script(RECORD_VIOLATIONS)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    log_in(page, live_server, users, role="admin")
    page.get_by_label("Search name, company or e-mail").fill("jansen")  # an htmx swap
    expect(page).to_have_url(f"{live_server}/sales/?list=opportunity&q=jansen")
    assert violations(page) == []

    page.goto(f"{live_server}/sales/insights/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert violations(page) == []

    page.goto(f"{live_server}/admin/rules")
    preview = page.locator("#rules-preview")
    page.get_by_role("button", name="Preview the effect").click()  # an htmx swap
    expect(preview).to_be_visible()
    page.locator("#rules-editor input[type=number]").first.fill("7")
    page.locator("#rules-editor input[type=number]").first.dispatch_event("change")
    # The editor's own script (no inline handler) marks the preview outdated.
    expect(page.locator("#rules-preview")).to_have_class("rules-preview rules-preview--outdated")
    assert violations(page) == [] and refused == []
