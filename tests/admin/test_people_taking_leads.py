"""The users page's "Who takes leads": whether each person takes leads now
(or is away), their weight, an admin's switch, anyone's absences and
booking link; and deactivating someone hands their waiting opportunities over."""

from collections import Counter

import pytest
from bs4 import BeautifulSoup

from capture.db.transactions import begin_write
from capture.domain.assignment import LeadToAssign
from capture.extensions import db
from capture.leads.owners import DEACTIVATED, choose_owner

from ..support.people import (
    absences_of,
    add_absence_row,
    add_person,
    days,
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
def admin(client, auth):
    """Logged in as the admin; posts the users page's forms with their CSRF token."""
    return auth.poster("admin", "/admin/users")


def taking_now(client, user_id: int) -> str:
    row = soup_of(client.get("/admin/users")).select_one(f"#taking-{user_id}")
    return row.select_one(".taking-now").get_text(" ", strip=True)


def owners_of_new_opportunities(app, count: int) -> Counter:
    """Give `count` new opportunities their owner, as intake does, and count who got them."""
    with app.app_context():
        owners = Counter()
        for _ in range(count):
            begin_write()
            owners[choose_owner(LeadToAssign()).person_id] += 1
            db.session.commit()
        db.session.remove()
        return owners


# Who takes leads now


def test_the_page_says_who_takes_leads_now_and_who_is_away(app, client, admin, users):
    away = add_person(app, "bas@leadgate.test", name="Bas Bakker")
    add_absence_row(app, away, today(app) - days(1), today(app) + days(3))
    add_absence_row(app, away, today(app) + days(4), today(app) + days(6))  # follows on

    assert taking_now(client, users["sales"][0]) == "yes"
    # An admin by default, while a sales user is active: no.
    assert taking_now(client, users["admin"][0]) == "no"
    until = (today(app) + days(6)).strftime("%-d %b")
    assert taking_now(client, away).startswith(f"away until {until}")


def test_an_admin_takes_leads_by_default_only_while_no_sales_user_is_active(
    app, client, admin, users
):
    admin(f"/admin/users/{users['sales'][0]}/active", active="no")

    assert taking_now(client, users["admin"][0]) == "yes"
    assert taking_now(client, users["sales"][0]) == "no"


# The weight


def test_an_admin_sets_a_weight(app, admin, users):
    answer = admin(f"/admin/users/{users['sales'][0]}/weight", weight="1")

    assert answer.status_code == 302
    assert stored_user(app, users["sales"][0]).weight == 1


@pytest.mark.parametrize("typed", ["0", "-1", "11", "2.5", "two", "", "99999999999"])
def test_a_weight_out_of_range_is_refused_next_to_that_person_and_nothing_is_stored(
    app, admin, users, typed
):
    sales_id = users["sales"][0]

    answer = admin(f"/admin/users/{sales_id}/weight", weight=typed)

    assert answer.status_code == 422
    page = soup_of(answer)
    error = page.select_one(f"#taking-{sales_id} #weight-{sales_id}-error")
    assert error.get_text() == "A weight is a whole number from 1 to 10."
    assert page.select_one(f"#weight-{sales_id}")["value"] == typed
    assert stored_user(app, sales_id).weight == 2


def test_weights_two_and_one_share_the_opportunities_two_to_one(app, admin, users):
    bas = add_person(app, "bas@leadgate.test", name="Bas Bakker")
    admin(f"/admin/users/{bas}/weight", weight="1")

    owners = owners_of_new_opportunities(app, 30)

    assert owners == Counter({users["sales"][0]: 20, bas: 10})


# An admin's switch


@pytest.mark.parametrize(("typed", "stored"), [("yes", True), ("no", False), ("", None)])
def test_an_admin_switches_taking_leads_on_off_or_to_the_default(app, admin, users, typed, stored):
    admin_id = users["admin"][0]

    answer = admin(f"/admin/users/{admin_id}/takes-leads", takes_leads=typed)

    assert answer.status_code == 302
    assert stored_user(app, admin_id).takes_leads is stored


def test_an_admin_switched_on_gets_leads_in_turn_with_the_sales_user(app, admin, users):
    admin(f"/admin/users/{users['admin'][0]}/takes-leads", takes_leads="yes")

    for number in range(4):
        Visitor(app.test_client()).submit(
            "demo-contact", contact={"email": f"lead{number}@example.nl"}
        )

    got = Counter(to_id for _, _, to_id, *_ in owner_changes(app))
    assert got == Counter({users["admin"][0]: 2, users["sales"][0]: 2})


def test_an_admin_switched_off_never_gets_leads_even_without_sales_users(app, admin, users):
    admin(f"/admin/users/{users['admin'][0]}/takes-leads", takes_leads="no")
    admin(f"/admin/users/{users['sales'][0]}/active", active="no")

    owners = owners_of_new_opportunities(app, 3)

    assert owners == Counter({None: 3})


def test_an_unknown_switch_state_is_refused_and_nothing_is_stored(app, admin, users):
    admin_id = users["admin"][0]

    answer = admin(f"/admin/users/{admin_id}/takes-leads", takes_leads="maybe")

    assert answer.status_code == 422
    assert (
        "Choose one of the three."
        in soup_of(answer).select_one(f"#takes-leads-{admin_id}-error").get_text()
    )
    assert stored_user(app, admin_id).takes_leads is None


def test_a_sales_user_has_no_switch(app, client, admin, users):
    sales_id = users["sales"][0]

    answer = admin(f"/admin/users/{sales_id}/takes-leads", takes_leads="no")

    assert answer.status_code == 422
    assert "sales user" in soup_of(answer).select_one(".flash--error").get_text()
    assert stored_user(app, sales_id).takes_leads is None
    page = soup_of(client.get("/admin/users"))
    assert page.select_one(f"#taking-{sales_id} select") is None
    assert page.select_one(f"#taking-{users['admin'][0]} select[name=takes_leads]")


# Absences, set by an admin


def test_an_admin_sets_someones_absence_and_their_waiting_opportunities_move(
    app, client, admin, users
):
    sales_id, admin_id = users["sales"][0], users["admin"][0]
    bas = add_person(app, "bas@leadgate.test", name="Bas Bakker")
    leads = opportunities_of(app, sales_id)

    answer = admin(
        f"/admin/users/{sales_id}/absences",
        starts=str(today(app)),
        ends=str(today(app) + days(4)),
    )

    assert answer.status_code == 302
    assert absences_of(app, sales_id) == [(today(app), today(app) + days(4), admin_id)]
    owners = owners_of(app, leads)
    assert (owners["waiting"], owners["waiting too"]) == (bas, bas)
    assert (owners["contacted"], owners["closed"]) == (sales_id, sales_id)
    assert {(f, t, by) for _, f, t, _why, by in owner_changes(app)} == {(sales_id, bas, admin_id)}
    message = soup_of(client.get("/admin/users")).select_one(".flash--info").get_text()
    assert "is away from" in message
    assert "2 opportunities waiting for a first response went to colleagues." in message


@pytest.mark.parametrize(
    ("starts", "ends", "field", "message"),
    [
        (3, 1, "ends", "An absence cannot end before it starts."),
        (-5, -1, "ends", "This absence is over already"),
        (None, 1, "starts", "Give the first day away."),
        (1, None, "ends", "Give the last day away."),
    ],
)
def test_a_bad_absence_is_refused_next_to_that_person_and_nothing_is_stored(
    app, admin, users, starts, ends, field, message
):
    sales_id = users["sales"][0]

    def typed(value):
        return "" if value is None else str(today(app) + days(value))

    answer = admin(f"/admin/users/{sales_id}/absences", starts=typed(starts), ends=typed(ends))

    assert answer.status_code == 422
    row = soup_of(answer).select_one(f"#taking-{sales_id}")
    assert row.select_one("details.add-absence").has_attr("open")
    assert message in row.select_one(f"#{field}-{sales_id}-error").get_text()
    assert row.select_one(f"#starts-{sales_id}")["value"] == typed(starts)
    assert row.select_one(f"#ends-{sales_id}")["value"] == typed(ends)
    assert absences_of(app, sales_id) == []


def test_an_admin_removes_someones_absence(app, client, admin, users):
    sales_id = users["sales"][0]
    absence_id = add_absence_row(app, sales_id, today(app) + days(1), today(app) + days(1))

    answer = admin(f"/admin/users/{sales_id}/absences/{absence_id}/remove")

    assert answer.status_code == 302
    assert absences_of(app, sales_id) == []


def test_an_absence_is_removed_only_under_its_own_person(app, admin, users):
    absence_id = add_absence_row(app, users["sales"][0], today(app), today(app))

    answer = admin(f"/admin/users/{users['admin'][0]}/absences/{absence_id}/remove")

    assert answer.status_code == 404
    assert len(absences_of(app, users["sales"][0])) == 1


# The booking link


def test_an_admin_sets_someones_booking_link(app, client, admin, users):
    sales_id = users["sales"][0]
    link = "https://calendly.com/sanne-bakker"

    answer = admin(f"/admin/users/{sales_id}/booking-link", booking_url=link)

    assert answer.status_code == 302
    assert stored_user(app, sales_id).booking_url == link
    shown = soup_of(client.get("/admin/users")).select_one(f"#taking-{sales_id} a.booking-link")
    assert shown["href"] == link


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "mailto:sanne@example.nl", "https://x.nl/" + "a" * 500]
)
def test_a_bad_booking_link_is_refused_next_to_that_person_and_nothing_is_stored(
    app, admin, users, link
):
    sales_id = users["sales"][0]

    answer = admin(f"/admin/users/{sales_id}/booking-link", booking_url=link)

    assert answer.status_code == 422
    row = soup_of(answer).select_one(f"#taking-{sales_id}")
    assert row.select_one("details.booking").has_attr("open")
    assert row.select_one(f"#booking-url-{sales_id}-error").get_text()
    assert row.select_one(f"#booking-url-{sales_id}")["value"] == link
    assert stored_user(app, sales_id).booking_url is None


# Deactivating


def test_deactivating_hands_waiting_opportunities_to_an_available_person(app, client, admin, users):
    sales_id, admin_id = users["sales"][0], users["admin"][0]
    bas = add_person(app, "bas@leadgate.test", name="Bas Bakker")
    away = add_person(app, "away@leadgate.test")
    add_absence_row(app, away, today(app), today(app) + days(9))
    leads = opportunities_of(app, sales_id)

    answer = admin(f"/admin/users/{sales_id}/active", active="no")

    assert answer.status_code == 302
    owners = owners_of(app, leads)
    assert (owners["waiting"], owners["waiting too"]) == (bas, bas)
    assert (owners["contacted"], owners["closed"], owners["nurture"]) == (sales_id,) * 3
    moves = owner_changes(app)
    assert len(moves) == 2
    for _lead, from_id, to_id, why, by in moves:
        assert (from_id, to_id, by) == (sales_id, bas, admin_id)
        assert why.startswith(DEACTIVATED)
    message = soup_of(client.get("/admin/users")).select_one(".flash--info").get_text()
    assert "is deactivated" in message and "2 opportunities waiting" in message


def test_deactivating_the_last_sales_user_hands_their_leads_to_the_admin(app, admin, users):
    sales_id, admin_id = users["sales"][0], users["admin"][0]
    leads = opportunities_of(app, sales_id)

    admin(f"/admin/users/{sales_id}/active", active="no")

    owners = owners_of(app, leads)
    assert (owners["waiting"], owners["waiting too"]) == (admin_id, admin_id)
    assert owners["closed"] == sales_id


def test_with_nobody_to_take_them_the_leads_are_unassigned_and_logged(app, admin, users):
    sales_id = users["sales"][0]
    admin(f"/admin/users/{users['admin'][0]}/takes-leads", takes_leads="no")
    leads = opportunities_of(app, sales_id)

    answer = admin(f"/admin/users/{sales_id}/active", active="no")

    assert answer.status_code == 302
    # The waiting ones are not left with someone who cannot log in:
    # unassigned, for a person to give; the others keep their owner.
    owners = owners_of(app, leads)
    waiting = {kind for kind in leads if kind.startswith("waiting")}
    assert {kind: owners[kind] for kind in waiting} == dict.fromkeys(waiting)
    assert {owners[kind] for kind in leads if kind not in waiting} == {sales_id}
    handed = [change for change in owner_changes(app) if change[1] == sales_id]
    assert sorted(lead for lead, *_ in handed) == sorted(leads[kind] for kind in waiting)
    assert {(to, why) for _, _, to, why, _ in handed} == {(None, "nobody available")}


# Who may


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users/{admin}/weight",
        "/admin/users/{admin}/takes-leads",
        "/admin/users/{admin}/booking-link",
        "/admin/users/{admin}/absences",
        "/admin/users/{admin}/absences/{absence}/remove",
    ],
)
def test_a_sales_user_gets_403_on_every_taking_leads_route(app, client, auth, users, path):
    admin_id = users["admin"][0]
    absence_id = add_absence_row(app, admin_id, today(app), today(app))
    auth.login("sales")
    fields = {"csrf_token": auth.csrf_token(), "weight": "1", "takes_leads": "yes"}
    fields |= {"booking_url": "https://evil.example", "starts": str(today(app))}
    fields |= {"ends": str(today(app))}

    answer = client.post(path.format(admin=admin_id, absence=absence_id), data=fields)

    assert answer.status_code == 403
    user = stored_user(app, admin_id)
    assert (user.weight, user.takes_leads, user.booking_url) == (2, None, None)
    assert len(absences_of(app, admin_id)) == 1
