"""The users page: add users, set passwords, deactivate and reactivate;
users are never deleted, so their history keeps its name."""

import pytest
from bs4 import BeautifulSoup
from werkzeug.security import check_password_hash

from capture.admin.users import refusal_to_deactivate
from capture.extensions import db
from capture.models import ListChange, Note, User

from ..support.auth import PASSWORD, log_in, post_login
from ..support.factories import make_lead


def soup_of(answer) -> BeautifulSoup:
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def logged_in_browser(app, email: str):
    """A client of its own (the user's browser), logged in as `email`."""
    browser = app.test_client()
    log_in(browser, email)
    return browser


def can_log_in(app, email: str, password: str) -> bool:
    """Log in with a fresh client, as the person would in their own browser."""
    return post_login(app.test_client(), email, password).status_code == 302


@pytest.fixture
def admin(client, auth):
    """Logged in as the admin; posts the users page's forms with their CSRF token."""
    return auth.poster("admin", "/admin/users")


def test_the_users_page_lists_email_role_status_and_when_added(client, auth, users):
    auth.login("admin")

    page = soup_of(client.get("/admin/users"))

    rows = {
        row.select_one("td").get_text(" ", strip=True): [
            cell.get_text(strip=True) for cell in row.select("td")[1:4]
        ]
        for row in page.select("table.users tbody tr")
    }
    assert rows["admin@leadgate.test you"][:2] == ["admin", "active"]
    assert rows["sales@leadgate.test"][:2] == ["sales", "active"]
    assert all(cells[2] for cells in rows.values())  # the date added


# Adding a user


def test_an_admin_adds_a_user_with_a_lowercased_email_and_a_hashed_password(app, client, admin):
    answer = admin(
        "/admin/users", email="  Piet.Visser@Example.NL ", role="sales", password="s3cret-pass"
    )

    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/users"
    user = user_by_email(app, "piet.visser@example.nl")
    assert (user.role, user.active) == ("sales", True)
    assert user.password_hash != "s3cret-pass"
    assert check_password_hash(user.password_hash, "s3cret-pass")
    assert "piet.visser@example.nl can log in now" in client.get("/admin/users").get_data(
        as_text=True
    )
    assert can_log_in(app, "Piet.Visser@example.nl", "s3cret-pass")


def test_an_admin_names_a_new_user_and_renames_them_later(app, client, admin):
    admin(
        "/admin/users",
        email="piet@example.nl",
        role="sales",
        password="long enough",
        name=" Piet\tVisser ",
    )
    piet = user_by_email(app, "piet@example.nl")
    renamed = admin(f"/admin/users/{piet.id}/name", name="Piet de Vries")
    shown = soup_of(client.get("/admin/users")).select_one(f"#name-{piet.id}")

    assert piet.name == "Piet Visser"
    assert renamed.status_code == 302
    assert user_by_email(app, "piet@example.nl").name == "Piet de Vries"
    assert shown["value"] == "Piet de Vries"


def test_an_empty_name_shows_the_email_again(app, admin, users):
    sales_id, sales_email = users["sales"]
    admin(f"/admin/users/{sales_id}/name", name="Sanne")
    admin(f"/admin/users/{sales_id}/name", name="   ")

    user = user_by_email(app, sales_email)
    assert (user.name, user.display_name) == (None, sales_email)


def test_a_name_too_long_is_refused_next_to_that_user_and_the_old_one_stays(app, admin, users):
    sales_id, sales_email = users["sales"]
    admin(f"/admin/users/{sales_id}/name", name="Sanne")

    answer = admin(f"/admin/users/{sales_id}/name", name="S" * 121)

    assert answer.status_code == 422
    field = soup_of(answer).select_one(f"#name-{sales_id}")
    assert field["value"] == "S" * 121 and field["aria-invalid"] == "true"
    assert "at most 120 characters" in answer.get_data(as_text=True)
    assert user_by_email(app, sales_email).name == "Sanne"


def test_an_admin_can_add_another_admin(app, admin):
    admin("/admin/users", email="boss@example.nl", role="admin", password="long enough")

    assert user_by_email(app, "boss@example.nl").role == "admin"


def test_a_duplicate_email_is_refused_with_a_message_and_the_input_kept(app, admin):
    answer = admin(
        "/admin/users", email="SALES@leadgate.test", role="admin", password="whatever123"
    )

    assert answer.status_code == 422
    page = soup_of(answer)
    assert "already a user with this e-mail" in page.select_one("#email-error").text
    assert page.select_one("input#email")["value"] == "sales@leadgate.test"
    assert page.select_one("select#role option[selected]")["value"] == "admin"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 2


def test_a_duplicate_of_a_deactivated_user_points_to_reactivating_them(app, admin, users):
    with app.app_context():
        db.session.get(User, users["sales"][0]).active = False
        db.session.commit()

    answer = admin(
        "/admin/users", email="sales@leadgate.test", role="sales", password="whatever123"
    )

    assert answer.status_code == 422
    assert "reactivate them" in soup_of(answer).select_one("#email-error").text


def test_a_short_password_is_refused_and_nobody_is_added(app, admin):
    answer = admin("/admin/users", email="kort@example.nl", role="sales", password="1234567")

    assert answer.status_code == 422
    page = soup_of(answer)
    assert "at least 8 characters" in page.select_one("#password-error").text
    assert page.select_one("input#email")["value"] == "kort@example.nl"
    assert user_by_email(app, "kort@example.nl") is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "", "role": "sales"}, "email", "Type the e-mail address"),
        ({"email": "not-an-address", "role": "sales"}, "email", "not an e-mail address"),
        ({"email": "a@example.nl", "role": "owner"}, "role", "Not a valid choice"),
        ({"email": "a@example.nl", "role": "sales", "password": ""}, "password", "Type a password"),
    ],
)
def test_a_new_user_needs_an_email_a_role_and_a_password(app, admin, fields, field, message):
    answer = admin("/admin/users", **{"password": "long enough", **fields})

    assert answer.status_code == 422
    assert message in soup_of(answer).select_one(f"#{field}-error").text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 2


# Passwords


def test_a_new_password_lets_the_user_log_in_and_the_old_one_no_longer(app, client, admin, users):
    sales_id, sales_email = users["sales"]

    answer = admin(f"/admin/users/{sales_id}/password", password="brand new password")

    assert answer.status_code == 302
    assert f"New password set for {sales_email}" in client.get("/admin/users").get_data(
        as_text=True
    )
    assert can_log_in(app, sales_email, "brand new password")
    assert not can_log_in(app, sales_email, PASSWORD)


def test_a_short_new_password_is_refused_next_to_that_user_and_the_old_one_stays(app, admin, users):
    sales_id, sales_email = users["sales"]

    answer = admin(f"/admin/users/{sales_id}/password", password="short")

    assert answer.status_code == 422
    error = soup_of(answer).select_one(f"#user-{sales_id} #password-{sales_id}-error")
    assert "at least 8 characters" in error.text
    assert can_log_in(app, sales_email, PASSWORD)


def test_an_unknown_user_has_no_password_to_set(admin):
    assert admin("/admin/users/999999/password", password="long enough").status_code == 404


# Deactivating


def test_a_deactivated_user_cannot_log_in_but_their_history_stays(app, admin, users):
    sales_id, sales_email = users["sales"]
    with app.app_context():
        lead = make_lead(list="nurture")
        db.session.add(
            ListChange(
                lead=lead,
                from_list="nurture",
                to_list="opportunity",
                reason="Called",
                user_id=sales_id,
            )
        )
        db.session.add(Note(lead_id=lead.id, user_id=sales_id, body="Wants a demo in May"))
        db.session.commit()

    answer = admin(f"/admin/users/{sales_id}/active", active="no")

    assert answer.status_code == 302
    assert user_by_email(app, sales_email).active is False
    assert not can_log_in(app, sales_email, PASSWORD)
    with app.app_context():
        change = db.session.scalar(db.select(ListChange).where(ListChange.user_id == sales_id))
        note = db.session.scalar(db.select(Note).where(Note.user_id == sales_id))
        assert change.actor == sales_email
        assert note.user.email == sales_email


def test_deactivating_ends_the_sessions_the_user_already_has(app, admin, users):
    sales_id, sales_email = users["sales"]
    their_browser = logged_in_browser(app, sales_email)
    assert their_browser.get("/sales/").status_code == 200

    admin(f"/admin/users/{sales_id}/active", active="no")

    assert their_browser.get("/sales/").status_code == 302


def test_a_reactivated_user_can_log_in_again(app, client, admin, users):
    sales_id, sales_email = users["sales"]
    admin(f"/admin/users/{sales_id}/active", active="no")

    answer = admin(f"/admin/users/{sales_id}/active", active="yes")

    assert answer.status_code == 302
    assert can_log_in(app, sales_email, PASSWORD)
    row = soup_of(client.get("/admin/users")).select_one(f"#user-{sales_id}")
    assert row.select("td")[2].text == "active"
    assert row.select("button")[-1].text == "Deactivate"


def test_a_session_from_before_deactivation_does_not_come_back_with_reactivation(app, admin, users):
    sales_id, sales_email = users["sales"]
    their_browser = logged_in_browser(app, sales_email)
    copied = their_browser.get_cookie("session").value
    admin(f"/admin/users/{sales_id}/active", active="no")

    admin(f"/admin/users/{sales_id}/active", active="yes")

    elsewhere = app.test_client()
    elsewhere.set_cookie("session", copied)
    assert elsewhere.get("/sales/").status_code == 302
    assert their_browser.get("/sales/").status_code == 302
    assert can_log_in(app, sales_email, PASSWORD)


def test_deactivating_twice_is_harmless(app, admin, users):
    sales_id, sales_email = users["sales"]

    first = admin(f"/admin/users/{sales_id}/active", active="no")
    second = admin(f"/admin/users/{sales_id}/active", active="no")

    assert first.status_code == second.status_code == 302
    assert user_by_email(app, sales_email).active is False


def test_an_admin_cannot_deactivate_themselves(app, admin, users):
    admin_id, admin_email = users["admin"]

    answer = admin(f"/admin/users/{admin_id}/active", active="no")

    assert answer.status_code == 422
    assert "cannot deactivate yourself" in soup_of(answer).select_one(".flash--error").text
    assert user_by_email(app, admin_email).active is True


def test_an_admin_can_deactivate_another_admin(app, admin):
    admin("/admin/users", email="other-admin@example.nl", role="admin", password="long enough")
    other = user_by_email(app, "other-admin@example.nl")

    answer = admin(f"/admin/users/{other.id}/active", active="no")

    assert answer.status_code == 302
    assert user_by_email(app, "other-admin@example.nl").active is False


@pytest.mark.parametrize(
    ("role", "active", "others", "refused"),
    [
        ("admin", True, 0, "last active admin"),
        ("admin", True, 1, None),
        ("sales", True, 0, None),
        ("admin", False, 0, None),  # already inactive: nothing is lost
    ],
)
def test_the_last_active_admin_cannot_be_deactivated(role, active, others, refused):
    user = User(id=7, email="x@example.nl", role=role, active=active, password_hash="")

    refusal = refusal_to_deactivate(user, actor_id=1, other_active_admins=others)

    assert (refused in refusal) if refused else refusal is None


def test_nobody_can_deactivate_themselves_even_with_other_admins():
    user = User(id=1, email="me@example.nl", role="admin", active=True, password_hash="")

    assert "yourself" in refusal_to_deactivate(user, actor_id=1, other_active_admins=3)


def test_an_invalid_active_value_changes_nothing(app, admin, users):
    answer = admin(f"/admin/users/{users['sales'][0]}/active", active="maybe")

    assert answer.status_code == 422
    assert user_by_email(app, users["sales"][1]).active is True


# Who may


def test_posts_without_the_csrf_token_are_refused(app, client, auth, users):
    auth.login("admin")

    answer = client.post(f"/admin/users/{users['sales'][0]}/active", data={"active": "no"})

    assert answer.status_code == 400
    assert user_by_email(app, users["sales"][1]).active is True


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/users"),
        ("POST", "/admin/users"),
        ("POST", "/admin/users/{admin}/password"),
        ("POST", "/admin/users/{admin}/active"),
        ("POST", "/admin/users/{admin}/name"),
    ],
)
def test_a_sales_user_gets_403_on_every_users_route(app, client, auth, users, method, path):
    auth.login("sales")
    token = auth.csrf_token()
    fields = {"csrf_token": token, "email": "x@example.nl", "role": "admin"}
    fields |= {"password": "long enough", "active": "no", "name": "Mallory"}

    answer = client.open(path.format(admin=users["admin"][0]), method=method, data=fields)

    assert answer.status_code == 403
    assert can_log_in(app, users["admin"][1], PASSWORD)
    assert user_by_email(app, "x@example.nl") is None
    assert user_by_email(app, users["admin"][1]).name is None


def test_a_new_password_ends_the_users_open_sessions(app, admin, users):
    sales_id, sales_email = users["sales"]
    their_browser = logged_in_browser(app, sales_email)
    assert their_browser.get("/sales/").status_code == 200

    admin(f"/admin/users/{sales_id}/password", password="brand new password")

    assert their_browser.get("/sales/").status_code == 302
