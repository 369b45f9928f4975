"""/account: a person says when they are away (no new leads then; on the
first day their opportunities still waiting for a first response go to a
colleague) and sets their own booking link."""

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.leads.owners import ABSENCE_STARTED, hand_over_from_unavailable

from ..support.auth import log_in
from ..support.people import (
    absences_of,
    add_absence_row,
    add_person,
    days,
    moment_on,
    opportunities_of,
    owner_changes,
    owners_of,
    stored_user,
    today,
)
from ..support.visitor import Visitor


def soup_of(answer) -> BeautifulSoup:
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


@pytest.fixture
def account(client, auth):
    """Logged in as the sales person; posts /account's forms with their CSRF token."""
    return auth.poster("sales", "/account")


@pytest.fixture
def colleague(app, users):
    """A second sales person, to take what the first one hands over."""
    return add_person(app, "bas@leadgate.test", name="Bas Bakker")


# Adding and listing


def test_a_person_adds_an_absence_and_sees_it_listed_with_a_remove_button(
    app, client, account, users
):
    first = today(app) + days(7)

    answer = account("/account/absences", starts=str(first), ends=str(first + days(4)))
    page = soup_of(client.get("/account"))

    assert answer.status_code == 303
    assert absences_of(app, users["sales"][0]) == [(first, first + days(4), users["sales"][0])]
    message = page.select_one(".flash--info").get_text(strip=True)
    assert message.startswith("You are away from ") and "you get no new leads then" in message
    (item,) = page.select(".absences li")
    assert item.select_one("button").get_text(strip=True) == "Remove"
    assert first.strftime("%b") in item.get_text(" ", strip=True)


def test_a_single_day_away_says_on_that_day(app, client, account):
    day = today(app) + days(3)

    account("/account/absences", starts=str(day), ends=str(day))

    message = soup_of(client.get("/account")).select_one(".flash--info").get_text(strip=True)
    assert message.startswith("You are away on ")


def test_absences_that_are_over_are_not_listed(app, client, auth, users):
    sales_id = users["sales"][0]
    add_absence_row(app, sales_id, today(app) - days(10), today(app) - days(3))
    add_absence_row(app, sales_id, today(app) - days(1), today(app) + days(1))
    auth.login("sales")

    page = soup_of(client.get("/account"))

    (item,) = page.select(".absences li")
    assert item.select_one(".badge--away").get_text(strip=True) == "now"


# Bad input


@pytest.mark.parametrize(
    ("starts", "ends", "field", "message"),
    [
        (5, 2, "ends", "An absence cannot end before it starts."),
        (-9, -2, "ends", "This absence is over already"),
        (None, 2, "starts", "Give the first day away."),
        (1, None, "ends", "Give the last day away."),
        ("7 december", 2, "starts", "Give a date, e.g. 2026-12-07."),
    ],
)
def test_a_bad_absence_is_refused_next_to_its_field_and_nothing_is_stored(
    app, account, users, starts, ends, field, message
):
    def typed(value):
        if value is None:
            return ""
        return value if isinstance(value, str) else str(today(app) + days(value))

    answer = account("/account/absences", starts=typed(starts), ends=typed(ends))

    assert answer.status_code == 422
    page = soup_of(answer)
    assert message in page.select_one(f"#{field}-error").get_text()
    assert page.select_one(f"input#{field}")["aria-invalid"] == "true"
    assert page.select_one("input#starts")["value"] == typed(starts)
    assert page.select_one("input#ends")["value"] == typed(ends)
    assert absences_of(app, users["sales"][0]) == []


def test_an_absence_cannot_be_added_without_the_csrf_token(app, client, auth, users):
    auth.login("sales")
    day = str(today(app))

    answer = client.post("/account/absences", data={"starts": day, "ends": day})

    assert answer.status_code == 400
    assert absences_of(app, users["sales"][0]) == []


# Handing over


def test_an_absence_starting_today_hands_waiting_opportunities_to_a_colleague_at_once(
    app, client, account, users, colleague
):
    sales_id = users["sales"][0]
    leads = opportunities_of(app, sales_id)

    account("/account/absences", starts=str(today(app)), ends=str(today(app) + days(2)))

    owners = owners_of(app, leads)
    assert owners == {
        "waiting": colleague,
        "waiting too": colleague,
        "contacted": sales_id,
        "closed": sales_id,
        "nurture": sales_id,
    }
    moves = owner_changes(app)
    assert {lead for lead, *_ in moves} == {leads["waiting"], leads["waiting too"]}
    for _, from_id, to_id, why, by in moves:
        assert (from_id, to_id, by) == (sales_id, colleague, sales_id)
        assert why.startswith(ABSENCE_STARTED)
    message = soup_of(client.get("/account")).select_one(".flash--info").get_text(strip=True)
    assert "2 opportunities waiting for a first response went to colleagues." in message


def test_an_absence_starting_later_moves_nothing_until_its_first_day_and_then_only_once(
    app, account, users, colleague
):
    sales_id = users["sales"][0]
    leads = opportunities_of(app, sales_id)
    first_day = today(app) + days(2)

    account("/account/absences", starts=str(first_day), ends=str(first_day + days(3)))
    before = owners_of(app, leads)
    with app.app_context():
        too_early = hand_over_from_unavailable(now=moment_on(app, first_day - days(1)))
        on_the_day = hand_over_from_unavailable(now=moment_on(app, first_day))
        again = hand_over_from_unavailable(now=moment_on(app, first_day, hour=15))
        db.session.remove()

    assert set(before.values()) == {sales_id}
    assert (too_early, on_the_day, again) == (0, 2, 0)
    after = owners_of(app, leads)
    assert (after["waiting"], after["waiting too"]) == (colleague, colleague)
    assert (after["contacted"], after["closed"]) == (sales_id, sales_id)
    assert len(owner_changes(app)) == 2
    assert all(why.startswith(ABSENCE_STARTED) for *_, why, _by in owner_changes(app))


def test_while_away_a_person_gets_no_new_leads(app, account, colleague):
    account("/account/absences", starts=str(today(app)), ends=str(today(app)))
    for number in range(3):
        Visitor(app.test_client()).submit(
            "demo-contact", contact={"email": f"lead{number}@example.nl"}
        )

    assert {to_id for _, _, to_id, *_ in owner_changes(app)} == {colleague}


# Removing


def test_a_person_removes_their_absence(app, client, account, users):
    sales_id = users["sales"][0]
    absence_id = add_absence_row(app, sales_id, today(app) + days(1), today(app) + days(2))

    answer = account(f"/account/absences/{absence_id}/remove")

    assert answer.status_code == 303
    assert absences_of(app, sales_id) == []
    message = soup_of(client.get("/account")).select_one(".flash--info").get_text(strip=True)
    assert message.startswith("Your absence from ") and message.endswith("is removed.")


def test_a_person_cannot_remove_someone_elses_absence(app, account, users, colleague):
    theirs = add_absence_row(app, colleague, today(app) + days(1), today(app) + days(2))

    answer = account(f"/account/absences/{theirs}/remove")

    assert answer.status_code == 404
    assert len(absences_of(app, colleague)) == 1


def test_an_admin_cannot_remove_someone_elses_absence_on_their_own_account_page(
    app, client, auth, users
):
    theirs = add_absence_row(app, users["sales"][0], today(app), today(app))
    auth.login("admin")
    token = auth.csrf_token("/account")

    answer = client.post(f"/account/absences/{theirs}/remove", data={"csrf_token": token})

    assert answer.status_code == 404
    assert len(absences_of(app, users["sales"][0])) == 1


# The booking link


def test_a_person_sets_their_booking_link(app, client, account, users):
    link = "https://cal.com/sanne-bakker/30min"

    answer = account("/account", name="", language="", booking_url=f"  {link} ")

    assert answer.status_code == 303
    assert stored_user(app, users["sales"][0]).booking_url == link
    page = soup_of(client.get(answer.location))
    assert "Your account is saved." in page.select_one(".flash--info").get_text()
    assert page.select_one("input[name=booking_url]")["value"] == link


def test_an_empty_booking_link_removes_it(app, account, users):
    account("/account", name="", language="", booking_url="https://calendly.com/sanne")

    account("/account", name="", language="", booking_url="  ")

    assert stored_user(app, users["sales"][0]).booking_url is None


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("javascript:alert(1)", "Enter a web address starting with https://"),
        ("ftp://files.example.nl/me", "Enter a web address starting with https://"),
        ("cal.com/sanne", "Enter a web address starting with https://"),
        ("https://", "Enter a web address starting with https://"),
        ("https://cal.com/sanne bakker", "Enter a web address starting with https://"),
        ("https://[not-an-address/x", "Enter a web address starting with https://"),
        ("https://cal.com/" + "s" * 490, "Keep the link under 500 characters."),
    ],
)
def test_a_bad_booking_link_is_refused_with_the_input_kept_and_nothing_stored(
    app, account, users, link, message
):
    answer = account("/account", name="Sanne", language="", booking_url=link)

    assert answer.status_code == 422
    page = soup_of(answer)
    assert message in page.select_one("#booking_url-error").get_text()
    assert page.select_one("input#booking_url")["value"] == link
    user = stored_user(app, users["sales"][0])
    assert (user.booking_url, user.name) == (None, None)


def test_another_person_logged_in_elsewhere_does_not_see_my_absences(app, client, users):
    add_absence_row(app, users["sales"][0], today(app), today(app) + days(1))
    other = app.test_client()
    log_in(other, users["admin"][1])

    assert soup_of(other.get("/account")).select(".absences li") == []
