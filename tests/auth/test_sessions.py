"""Logging in and out starts a new session: nothing taken before, such as a
CSRF token, works after."""

from capture.extensions import db
from capture.models import User

from ..support.auth import PASSWORD, log_in, post_login
from ..support.visitor import page_inputs


def token_on(client, path: str) -> str:
    return page_inputs(client.get(path).get_data(as_text=True))["csrf_token"]


def language_of(app, user_id: int) -> str | None:
    with app.app_context():
        return db.session.get(User, user_id).language


def test_a_csrf_token_from_the_login_page_is_refused_after_logging_in(app, client, users):
    sales_id, email = users["sales"]
    before = token_on(client, "/login")
    login = log_in(client, email)
    assert login.status_code == 302
    # The new session still lasts the working day.
    assert "Expires=" in login.headers["Set-Cookie"]

    answer = client.post("/account", data={"csrf_token": before, "language": "nl"})

    assert answer.status_code == 400
    assert language_of(app, sales_id) is None
    fresh = token_on(client, "/account")
    assert client.post("/account", data={"csrf_token": fresh, "language": "nl"}).status_code == 303
    assert language_of(app, sales_id) == "nl"


def test_the_csrf_token_from_before_logout_is_refused_after_it(client, users):
    email = users["sales"][1]
    log_in(client, email)
    before = token_on(client, "/account")

    assert client.post("/logout", data={"csrf_token": before}).status_code == 302
    client.get("/login")  # where the logout leads
    answer = post_login(client, email, PASSWORD, csrf_token=before)

    assert answer.status_code == 400
    assert client.get("/sales/").status_code == 302
