"""Who may open what: login, logout, roles, and the session cookie."""

from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import User

from ..support.auth import PASSWORD, login_token, post_login
from ..support.visitor import page_inputs

PROTECTED = ("/sales", "/admin")


def protected_rules(app):
    """Every URL rule under /sales or /admin, with sample values for its arguments."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PROTECTED):
            values = {name: 1 for name in rule.arguments}
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, values


def call(client, app, rule, method, values, **kwargs):
    with app.test_request_context():
        from flask import url_for

        path = url_for(rule.endpoint, **values)
    return client.open(path, method=method, **kwargs)


def test_there_are_protected_routes_to_check(app):
    endpoints = {rule.endpoint for rule, _, _ in protected_rules(app)}

    assert {"sales.index", "sales.lead", "sales.export_csv", "admin.index"} <= endpoints


def test_no_protected_route_answers_an_anonymous_visitor(app, client):
    # A real CSRF token, so the login check itself is what refuses the posts.
    token = login_token(client)
    for rule, method, values in protected_rules(app):
        answer = call(client, app, rule, method, values, data={"csrf_token": token})
        assert answer.status_code == 302, (rule.rule, method, answer.status_code)
        assert answer.headers["Location"].startswith("/login?next="), rule.rule


def test_no_protected_route_answers_an_anonymous_htmx_request_with_content(app, client):
    page = {"HX-Request": "true", "HX-Current-URL": "http://localhost/sales/?list=nurture"}
    for rule, method, values in protected_rules(app):
        if method != "GET":
            continue
        answer = call(client, app, rule, method, values, headers=page)
        assert answer.status_code == 401, rule.rule
        # Back to the page the user was on after login, not to a fragment.
        assert answer.headers["HX-Redirect"] == "/login?next=/sales/?list%3Dnurture"


def test_a_session_cookie_stops_working_after_logout(app, client, auth):
    auth.login("sales")
    stolen = client.get_cookie("session").value
    client.post("/logout", data={"csrf_token": auth.csrf_token()})

    replay = app.test_client()
    replay.set_cookie("session", stolen)

    assert replay.get("/sales/").status_code == 302


def test_internal_pages_are_not_cached_or_framed(client, auth):
    auth.login("sales")
    for path in ("/sales/", "/login"):
        answer = client.get(path)
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Frame-Options"] == "DENY"


def test_no_admin_route_answers_a_sales_user(app, client, auth):
    auth.login("sales")
    token = auth.csrf_token()
    for rule, method, values in protected_rules(app):
        if not rule.rule.startswith("/admin"):
            continue
        answer = call(client, app, rule, method, values, data={"csrf_token": token})
        assert answer.status_code == 403, (rule.rule, method)


def test_sales_and_admin_users_may_open_the_sales_pages(client, auth):
    for role in ("sales", "admin"):
        auth.login(role)
        assert client.get("/sales/").status_code == 200
        client.post("/logout", data={"csrf_token": auth.csrf_token()})


def test_a_deactivated_user_cannot_log_in(app, client, users):
    with app.app_context():
        user = db.session.get(User, users["sales"][0])
        user.active = False
        db.session.commit()

    answer = post_login(client, users["sales"][1], PASSWORD)

    assert answer.status_code == 422
    assert "do not match an active account" in answer.get_data(as_text=True)
    assert client.get("/sales/").status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, users):
    token = login_token(client)

    wrong = post_login(client, users["sales"][1], "nope", csrf_token=token)
    unknown = post_login(client, "who@x.nl", "nope", csrf_token=token)

    assert wrong.status_code == unknown.status_code == 422
    message = "That e-mail and password do not match an active account."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(client, users):
    def login_with_next(target):
        answer = post_login(client, users["sales"][1], PASSWORD, query_string={"next": target})
        client.post(
            "/logout",
            data={
                "csrf_token": page_inputs(client.get("/sales/").get_data(as_text=True))[
                    "csrf_token"
                ]
            },
        )
        return answer.headers["Location"]

    assert login_with_next("/sales/?list=nurture") == "/sales/?list=nurture"
    assert login_with_next("https://evil.example/") == "/sales/"
    assert login_with_next("//evil.example/") == "/sales/"


def test_the_login_form_has_a_csrf_token(client):
    soup = BeautifulSoup(client.get("/login").get_data(as_text=True), "html.parser")

    assert soup.select_one("form input[name=csrf_token]")["value"]


def test_logging_out_ends_the_session(client, auth):
    auth.login("sales")
    client.post("/logout", data={"csrf_token": auth.csrf_token()})

    assert client.get("/sales/").status_code == 302


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app, users):
    plain, secure = app.test_client(), app.test_client()
    for client, base in ((plain, "http://localhost"), (secure, "https://localhost")):
        answer = post_login(client, users["sales"][1], PASSWORD, base_url=base)
        (cookie,) = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) == (base.startswith("https"))


def test_login_attempts_are_rate_limited_per_client_address(make_app):
    # Per account, failed logins are counted in the database: tests/auth/test_login_lock.py.
    from capture.demo.seed import seed_demo

    app = make_app(RATELIMIT_ENABLED=True, LEADS_LOGIN_LIMIT="3 per minute")
    with app.app_context():
        seed_demo()
    client = app.test_client()
    statuses = []
    for attempt in range(4):
        answer = post_login(client, f"other{attempt}@x.nl", "wrong")
        statuses.append(answer.status_code)

    assert statuses == [422, 422, 422, 429]
