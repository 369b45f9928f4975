"""Security headers on every page: a strict Content-Security-Policy and nothing inline."""

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Form, Lead

from .support.auth import PASSWORD, post_login
from .support.csp import directive
from .support.embedding import restrict_embedding
from .support.factories import make_lead

PUBLIC = ["/", "/f/demo-contact", "/f/demo-ebook?embed=1", "/login", "/f/no-such-form"]
SALES = ["/sales/", "/sales/?list=nurture", "/sales/leads/new", "/sales/insights/"]
ADMIN = ["/admin/", "/admin/forms", "/admin/forms/new", "/admin/rules", "/admin/users"]
ADMIN += ["/admin/costs", "/admin/ebooks", "/admin/notifications"]


@pytest.fixture
def every_page(app, auth):
    """Log in as admin and return a function that fetches a path with a lead's page too."""
    with app.app_context():
        lead = make_lead(name="Anna Jansen")
        db.session.commit()
        lead_id = lead.id
        form_id = db.session.scalars(db.select(Form.id)).first()
    auth.login("admin")
    return (
        PUBLIC
        + SALES
        + ADMIN
        + [
            f"/sales/leads/{lead_id}",
            f"/admin/forms/{form_id}",
            f"/admin/forms/{form_id}/embed",
        ]
    )


def test_every_page_has_a_strict_content_security_policy(client, every_page):
    for path in every_page:
        answer = client.get(path)
        assert answer.status_code in (200, 302, 404), path
        policy = answer.headers["Content-Security-Policy"]
        assert directive(policy, "default-src") == "'self'", path
        assert directive(policy, "script-src") == "'self'", path
        assert directive(policy, "style-src") == "'self'", path
        assert directive(policy, "object-src") == "'none'", path
        assert directive(policy, "base-uri") == "'none'", path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path


def test_no_page_has_inline_scripts_styles_or_event_handlers(client, every_page):
    for path in every_page:
        soup = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
        assert [s for s in soup.find_all("script") if not s.get("src")] == [], path
        assert soup.find_all("style") == [], path
        for tag in soup.find_all(True):
            inline = [a for a in tag.attrs if a == "style" or a.startswith(("on", "hx-on"))]
            assert inline == [], f"{path}: <{tag.name} {inline}>"
        for link in soup.find_all(href=True):
            assert not link["href"].strip().lower().startswith("javascript:"), path


def test_every_page_says_nosniff_referrer_and_permissions(client, every_page):
    for path in [*every_page, "/embed.js", "/healthz", "/static/css/leadgate.css"]:
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert "camera=()" in headers["Permissions-Policy"], path
        assert "geolocation=()" in headers["Permissions-Policy"], path


def test_only_the_hosted_form_may_be_framed(client, every_page):
    framed = [path for path in every_page if path.startswith("/f/demo-")]
    assert framed  # the demo forms may be embedded on any site
    for path in every_page:
        headers = client.get(path).headers
        ancestors = directive(headers["Content-Security-Policy"], "frame-ancestors")
        if path in framed:
            assert ancestors is None, path
            assert "X-Frame-Options" not in headers, path
        else:
            assert ancestors == "'none'", path
            assert headers["X-Frame-Options"] == "DENY", path


def test_a_form_restricted_to_listed_sites_may_be_framed_by_those_and_leadgate_only(app, client):
    restrict_embedding(app, "demo-ebook", "https://www.example.nl", "https://shop.example.nl")

    for path in ("/f/demo-ebook", "/f/demo-ebook?embed=1"):
        headers = client.get(path).headers
        ancestors = directive(headers["Content-Security-Policy"], "frame-ancestors")
        assert ancestors == "'self' https://www.example.nl https://shop.example.nl", path
        assert "X-Frame-Options" not in headers, path
    still_open = client.get("/f/demo-contact").headers["Content-Security-Policy"]
    assert directive(still_open, "frame-ancestors") is None


def test_hsts_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/f/demo-contact").headers
    secure = client.get("/f/demo-contact", base_url="https://leads.example.nl")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_session_cookie_is_http_only_same_site_and_secure_over_https(client, users):
    answer = post_login(client, users["sales"][1], PASSWORD, base_url="https://leads.example.nl")
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_an_unexpected_error_shows_a_page_that_leaks_nothing(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail: postgresql://leadgate:hunter2@db/leads")

    for accept in ("text/html", "application/json"):
        answer = app.test_client().get("/boom", headers={"Accept": accept})
        body = answer.get_data(as_text=True)
        assert answer.status_code == 500
        assert "secret detail" not in body and "hunter2" not in body
        assert "Traceback" not in body and "RuntimeError" not in body
        assert "Content-Security-Policy" in answer.headers


def test_a_lead_with_hostile_values_cannot_run_script_on_its_page(app, client, auth):
    with app.app_context():
        lead = make_lead(name='<script>alert("name")</script>', company="<img src=x onerror=1>")
        db.session.commit()
        lead_id = lead.id
    auth.login("sales")
    page = client.get(f"/sales/leads/{lead_id}").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    assert [s for s in soup.find_all("script") if not s.get("src")] == []
    assert not soup.find_all("img", onerror=True)
    assert "&lt;script&gt;" in page
    with app.app_context():
        assert db.session.get(Lead, lead_id).name == '<script>alert("name")</script>'
