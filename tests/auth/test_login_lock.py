"""Failed logins are counted per e-mail address in the database: at most 5 per
15 minutes, for every worker and instance, whatever the rate-limit storage,
for unknown addresses too; an admin can lift a lock."""

import threading
from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from capture.extensions import db
from capture.leads.privacy import purge
from capture.models import LoginFailure, User, utcnow

from ..support.auth import PASSWORD, log_in, login_token, post_login
from ..support.visitor import page_inputs

UNKNOWN = "nobody@leadgate.test"


def fail(client, email: str, times: int) -> list[int]:
    return [post_login(client, email, "wrong password").status_code for _ in range(times)]


def flash_of(answer) -> str:
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser").select_one(".flash").text


def logged_in(client) -> bool:
    return client.get("/sales/").status_code == 200


def stored_failures(app) -> dict[str, tuple]:
    with app.app_context():
        rows = db.session.scalars(db.select(LoginFailure))
        return {row.email_key: (row.failures, row.locked_until) for row in rows}


def test_the_sixth_attempt_is_refused_even_with_the_right_password(app, client, users):
    email = users["sales"][1]

    statuses = fail(client, email, 5)
    answer = post_login(client, email, PASSWORD)

    assert statuses == [422, 422, 422, 422, 429]
    assert answer.status_code == 429
    assert "Too many failed attempts" in flash_of(answer)
    assert not logged_in(client)


def test_the_address_is_counted_whatever_its_case_and_spaces(app, client, users):
    fail(client, " SALES@leadgate.test", 3)
    fail(client, "Sales@Leadgate.Test ", 2)

    assert post_login(client, users["sales"][1], PASSWORD).status_code == 429


def test_a_successful_login_resets_the_count(app, client, users):
    email = users["sales"][1]
    fail(client, email, 4)
    assert post_login(client, email, PASSWORD).status_code == 302
    client.post(
        "/logout", data={"csrf_token": page_inputs(client.get("/account").text)["csrf_token"]}
    )

    # Five more, not one, before the lock.
    assert fail(client, email, 5) == [422, 422, 422, 422, 429]


def test_failures_are_counted_across_two_app_instances(app, make_app, users):
    """Two apps on one database: the honest shape of several workers or instances."""
    other = make_app()
    email = users["sales"][1]

    fail(app.test_client(), email, 3)
    fail(other.test_client(), email, 2)

    for instance in (app, other):
        browser = instance.test_client()
        assert post_login(browser, email, PASSWORD).status_code == 429
        assert not logged_in(browser)


def test_the_lock_holds_with_the_rate_limit_storage_down(make_demo_app):
    app = make_demo_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1")
    with app.app_context():
        db.session.add(
            User(
                email="anna@leadgate.test",
                role="sales",
                password_hash=generate_password_hash(PASSWORD),
            )
        )
        db.session.commit()
    client = app.test_client()

    fail(client, "anna@leadgate.test", 5)

    assert post_login(client, "anna@leadgate.test", PASSWORD).status_code == 429
    assert not logged_in(client)


def test_an_unknown_address_is_locked_exactly_like_a_known_account(app, users):
    known, unknown = app.test_client(), app.test_client()

    known_statuses = fail(known, users["sales"][1], 5)
    unknown_statuses = fail(unknown, UNKNOWN, 5)
    known_answer = post_login(known, users["sales"][1], PASSWORD)
    unknown_answer = post_login(unknown, UNKNOWN, PASSWORD)

    assert known_statuses == unknown_statuses
    assert known_answer.status_code == unknown_answer.status_code == 429
    assert flash_of(known_answer) == flash_of(unknown_answer)
    assert set(stored_failures(app)) == {users["sales"][1], UNKNOWN}


def test_attempts_sent_at_once_cannot_slip_past_the_limit(app, users):
    """Each attempt is counted before its password is checked, so of eight sent
    at once, whatever their order, four fail normally and the rest meet the lock."""
    browsers = [app.test_client() for _ in range(8)]
    tokens = [login_token(b) for b in browsers]
    together = threading.Barrier(len(browsers))
    statuses = []

    def attempt(browser, token):
        together.wait()
        answer = post_login(browser, users["sales"][1], "wrong", csrf_token=token)
        statuses.append(answer.status_code)

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(browsers, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [422] * 4 + [429] * 4


def test_a_lock_that_is_over_lets_the_right_password_in(app, client, users):
    now = utcnow()
    with app.app_context():
        db.session.add(
            LoginFailure(
                email_key=users["sales"][1],
                failures=5,
                window_start=now - timedelta(minutes=20),
                locked_until=now - timedelta(minutes=1),
            )
        )
        db.session.commit()

    assert post_login(client, users["sales"][1], PASSWORD).status_code == 302
    assert stored_failures(app) == {}


def test_failures_from_a_window_that_is_over_count_no_more(app, client, users):
    email = users["sales"][1]
    with app.app_context():
        db.session.add(
            LoginFailure(email_key=email, failures=4, window_start=utcnow() - timedelta(minutes=16))
        )
        db.session.commit()

    assert fail(client, email, 1) == [422]

    assert stored_failures(app)[email] == (1, None)


def test_a_login_that_cannot_be_counted_is_refused(app, client, users):
    """Failing closed: without the count, not even the right password gets in."""
    with app.app_context():
        db.session.execute(text("ALTER TABLE login_failures RENAME TO login_failures_away"))
        db.session.commit()
    try:
        answer = post_login(client, users["sales"][1], PASSWORD)
    finally:
        with app.app_context():
            db.session.execute(text("ALTER TABLE login_failures_away RENAME TO login_failures"))
            db.session.commit()

    assert answer.status_code == 503
    assert "not possible right now" in flash_of(answer)
    assert not logged_in(client)


def test_the_daily_purge_forgets_counts_whose_window_and_lock_are_over(app):
    now = utcnow()
    rows = {
        "window-over@x.nl": (2, now - timedelta(minutes=16), None),
        "lock-over@x.nl": (5, now - timedelta(minutes=40), now - timedelta(minutes=1)),
        "window-running@x.nl": (2, now - timedelta(minutes=1), None),
        "lock-running@x.nl": (5, now - timedelta(minutes=20), now + timedelta(minutes=5)),
    }
    with app.app_context():
        for key, (failures, start, until) in rows.items():
            db.session.add(
                LoginFailure(
                    email_key=key, failures=failures, window_start=start, locked_until=until
                )
            )
        db.session.commit()
        purge()

    assert set(stored_failures(app)) == {"window-running@x.nl", "lock-running@x.nl"}


# The admin lifts a lock


def admin_browser(app, users):
    browser = app.test_client()
    log_in(browser, users["admin"][1])
    return browser


def users_row(browser, user_id: int):
    page = BeautifulSoup(browser.get("/admin/users").get_data(as_text=True), "html.parser")
    return page.select_one(f"#user-{user_id}")


def test_the_users_page_shows_a_lock_and_the_admin_lifts_it(app, client, users):
    sales_id, email = users["sales"]
    fail(client, email, 5)
    admin = admin_browser(app, users)

    row = users_row(admin, sales_id)
    assert "locked until" in row.select_one(".badge--check").text
    token = page_inputs(str(row.select_one("form.lift-lock")))["csrf_token"]
    answer = admin.post(f"/admin/users/{sales_id}/lock", data={"csrf_token": token})

    assert answer.status_code == 302
    page = admin.get("/admin/users").get_data(as_text=True)
    assert f"The login lock of {email} is lifted" in page
    assert users_row(admin, sales_id).select_one(".badge--check") is None
    assert post_login(client, email, PASSWORD).status_code == 302


def test_lifting_a_lock_needs_the_csrf_token(app, client, users):
    sales_id, email = users["sales"]
    fail(client, email, 5)
    admin = admin_browser(app, users)

    answer = admin.post(f"/admin/users/{sales_id}/lock")

    assert answer.status_code == 400
    assert post_login(client, email, PASSWORD).status_code == 429


def test_a_sales_user_cannot_lift_a_lock(app, users):
    admin_id = users["admin"][0]
    fail(app.test_client(), users["admin"][1], 5)
    sales = app.test_client()
    assert post_login(sales, users["sales"][1], PASSWORD).status_code == 302
    token = page_inputs(sales.get("/account").get_data(as_text=True))["csrf_token"]

    assert (
        sales.post(f"/admin/users/{admin_id}/lock", data={"csrf_token": token}).status_code == 403
    )
    assert stored_failures(app)[users["admin"][1]][0] == 5
