"""/account: a person's own name (shown to colleagues, and in the header)."""

from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import User


def stored_name(app, user_id: int) -> str | None:
    with app.app_context():
        return db.session.get(User, user_id).name


def header_name(page) -> str:
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    return soup.select_one(".app-user span").get_text(strip=True)


def test_a_person_sets_their_name_and_the_header_shows_it(app, client, auth, users):
    auth.login("sales")
    token = auth.csrf_token("/account")

    saved = client.post(
        "/account", data={"csrf_token": token, "name": " Sanne  Bakker", "language": ""}
    )
    shown = client.get(saved.location)

    assert saved.status_code == 303
    assert stored_name(app, users["sales"][0]) == "Sanne Bakker"
    assert "Your account is saved." in shown.get_data(as_text=True)
    assert header_name(shown) == "Sanne Bakker"


def test_without_a_name_the_header_shows_the_email(app, client, auth, users):
    auth.login("sales")

    assert header_name(client.get("/account")) == users["sales"][1]


def test_a_name_too_long_is_refused_with_the_input_kept_and_nothing_stored(
    app, client, auth, users
):
    auth.login("sales")
    token = auth.csrf_token("/account")

    answer = client.post(
        "/account", data={"csrf_token": token, "name": "S" * 121, "language": "nl"}
    )

    assert answer.status_code == 422
    soup = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert soup.select_one("input[name=name]")["value"] == "S" * 121
    assert "at most 120 characters" in answer.get_data(as_text=True)
    assert stored_name(app, users["sales"][0]) is None


def test_a_name_cannot_be_saved_without_the_csrf_token(app, client, auth, users):
    auth.login("sales")

    answer = client.post("/account", data={"name": "Mallory", "language": ""})

    assert answer.status_code == 400
    assert stored_name(app, users["sales"][0]) is None
