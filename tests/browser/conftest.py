"""Fixtures for the browser tests: one headless Chromium per session, a fresh
context per test, with and without JavaScript, and customer sites embedding
Leadgate from another origin: the sample site, or a page of the test's own.

Uses the system Chromium; without it these tests skip (under CI=true they fail).
"""

import os
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from sample_site import create_app as create_sample_site

from ..support.browser import CHROMIUM, CHROMIUM_ARGS
from ..support.host_page import host_page
from ..support.servers import served

HERE = Path(__file__).parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM}"
        if IN_CI:
            pytest.fail(f"{reason}: the browser tests must run under CI")
        pytest.skip(f"{reason}: browser tests skipped")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _page_in_new_context(browser, **options):
    # A fixed locale, so the form speaks English whatever the machine's language.
    context = browser.new_context(locale="en-US", **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A page in its own context: no cookies or storage shared between tests."""
    context, page = _page_in_new_context(browser)
    yield page
    context.close()


@pytest.fixture
def no_js_page(browser):
    """A page with JavaScript off: htmx never loads, forms post the old way."""
    context, page = _page_in_new_context(browser, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def serve_host_site(live_server):
    """Start the sample customer site, embedding the live Leadgate, on a new origin.

    Returns the site's origin, `http://localhost:<port>`: another origin (and
    site) than Leadgate's `http://127.0.0.1:<port>`, as on a customer's domain.
    """
    with ExitStack() as running:

        def serve(remember: bool = False) -> str:
            site = create_sample_site(leadgate_url=live_server, remember=remember)
            return f"http://localhost:{running.enter_context(served(site))}"

        yield serve


@pytest.fixture
def serve_host_page(live_server):
    """Start a customer's page of its own (tests/support/host_page.py) embedding the
    live Leadgate, on an origin no form lists and the demo knows nothing of.

    `serve(attributes, lang="en", style="")` returns the page's origin,
    `http://localhost:<port>`.
    """
    with ExitStack() as running:

        def serve(attributes: dict[str, str], lang: str = "en", style: str = "") -> str:
            page = host_page(live_server, attributes, lang, style)
            return f"http://localhost:{running.enter_context(served(page))}"

        yield serve


@pytest.fixture
def host_site(serve_host_site):
    """The sample customer site: no form lists it, and any site may embed a form."""
    return serve_host_site()


@pytest.fixture
def remembering_host_site(serve_host_site):
    """The same, with the loader keeping the visit's first touch (data-remember)."""
    return serve_host_site(remember=True)
