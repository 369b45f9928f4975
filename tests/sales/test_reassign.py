"""Reassigning by hand: a person gives a lead to someone else who takes leads,
with a reason; the log says who, from, to, why and when, and the new owner is told."""

from email import message_from_bytes, policy

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Lead, Outbox, User
from capture.notifications.delivery import deliver_due

from ..support.auth import Auth, log_in, login_token
from ..support.factories import make_lead
from ..support.people import add_absence_row, add_person, days, owner_changes, today
from ..support.servers import smtp_inbox
from ..support.visitor import page_inputs

HTMX = {"HX-Request": "true"}


def a_lead(app, **values) -> int:
    with app.app_context():
        lead = make_lead(**values)
        db.session.commit()
        return lead.id


def owner_of(app, lead_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Lead, lead_id).owner_id


def reassign(client, lead_id: int, new_owner, why: str = "Bas knows this bakery", **headers):
    """Post the lead page's reassign form, with the page's own CSRF token."""
    token = Auth(client, {}).csrf_token(f"/sales/leads/{lead_id}")
    return client.post(
        f"/sales/leads/{lead_id}/owner",
        data={"csrf_token": token, "new_owner": str(new_owner), "why": why},
        headers=headers,
    )


def soup(answer) -> BeautifulSoup:
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


def text_of(page: BeautifulSoup, selector: str) -> str:
    return " ".join(page.select_one(selector).get_text(" ", strip=True).split())


@pytest.fixture
def bas(app):
    return add_person(app, "bas@leadgate.test", name="Bas Bakker")


@pytest.fixture
def sanne(app, users):
    """The `users` fixture's sales person, named and logged in; returns their id."""
    sales_id = users["sales"][0]
    with app.app_context():
        db.session.get(User, sales_id).name = "Sanne de Vries"
        db.session.commit()
    return sales_id


def test_sales_give_a_lead_to_someone_else_and_the_log_says_who_from_to_why_and_when(
    app, client, auth, sanne, bas
):
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("sales")

    answer = reassign(client, lead_id, bas, why="Bas knows this bakery")

    assert answer.status_code == 303
    assert owner_of(app, lead_id) == bas
    assert owner_changes(app) == [(lead_id, sanne, bas, "Bas knows this bakery", sanne)]
    page = soup(client.get(answer.location))
    assert "Given to Bas Bakker." in text_of(page, ".flash")
    assert text_of(page, "dd.owner") == "Bas Bakker"
    (entry,) = page.select("#lead-owners li")
    assert text_of(entry, ".owner-move") == "Sanne de Vries → Bas Bakker"
    assert text_of(entry, ".owner-why") == "Bas knows this bakery"
    assert text_of(entry, ".owner-actor") == "Sanne de Vries"
    assert entry.select_one("time")["datetime"]


def test_an_unassigned_lead_shows_unassigned_and_can_be_given_to_someone(
    app, client, auth, sanne, bas
):
    lead_id = a_lead(app, list="nurture")
    auth.login("sales")
    assert text_of(soup(client.get(f"/sales/leads/{lead_id}")), "dd.owner") == "unassigned"

    reassign(client, lead_id, bas, why="Asked for Bas on the phone")

    page = soup(client.get(f"/sales/leads/{lead_id}"))
    assert text_of(page, "#lead-owners .owner-move") == "unassigned → Bas Bakker"
    assert owner_changes(app) == [(lead_id, None, bas, "Asked for Bas on the phone", sanne)]


def test_an_htmx_reassign_answers_with_the_panel_alone(app, client, auth, sanne, bas):
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("sales")

    answer = reassign(client, lead_id, bas, **HTMX)

    assert answer.status_code == 200
    assert "HX-Request" in answer.headers["Vary"]
    panel = soup(answer)
    assert panel.select_one("html") is None and panel.select_one("#lead-panel")
    assert text_of(panel, "dd.owner") == "Bas Bakker"
    assert text_of(panel, "#lead-owners .owner-why") == "Bas knows this bakery"


def test_the_choice_lists_the_people_who_take_leads_and_marks_who_is_away(
    app, client, auth, sanne, bas, users
):
    away_until = today(app) + days(3)
    add_absence_row(app, bas, today(app), away_until)
    gone = add_person(app, "gone@leadgate.test", name="Gone Person", active=False)
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("sales")

    page = soup(client.get(f"/sales/leads/{lead_id}"))

    options = {o["value"]: o for o in page.select("select[name=new_owner] option")}
    assert set(options) == {"", str(sanne), str(bas)}  # not the admin, nor the deactivated
    assert str(gone) not in options and str(users["admin"][0]) not in options
    assert options[str(bas)].get_text().startswith("Bas Bakker (away until ")
    assert options[str(bas)].has_attr("disabled")
    assert not options[str(sanne)].has_attr("disabled")


@pytest.mark.parametrize(
    ("why", "error"),
    [
        ("", "Say why in a few words"),
        ("   ", "Say why in a few words"),
        ("x" * 301, "Keep the reason under 300 characters."),
    ],
)
def test_a_reason_is_required_and_nothing_is_stored_without_one(
    app, client, auth, sanne, bas, why, error
):
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("sales")

    answer = reassign(client, lead_id, bas, why=why)

    assert answer.status_code == 422
    assert error in text_of(soup(answer), "#why-error")
    assert page_inputs(answer.get_data(as_text=True), "form.action--reassign")["new_owner"] == str(
        bas
    )
    assert owner_of(app, lead_id) == sanne and owner_changes(app) == []


def test_the_reason_is_kept_as_typed_up_to_300_characters(app, client, auth, sanne, bas):
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("sales")

    reassign(client, lead_id, bas, why="x" * 300)

    assert owner_changes(app)[0][3] == "x" * 300


def _deactivated(app):
    return add_person(app, "gone@leadgate.test", name="Gone", active=False)


def _admin_switched_off(app):
    return add_person(app, "boss@leadgate.test", role="admin", takes_leads=False)


@pytest.mark.parametrize(
    "someone",
    [_deactivated, _admin_switched_off, lambda app: 987654],
    ids=["deactivated", "admin-switched-off", "unknown-id"],
)
def test_someone_who_does_not_take_leads_is_refused_and_nothing_is_stored(
    app, client, auth, sanne, someone
):
    lead_id = a_lead(app, owner_id=sanne)
    person = someone(app)
    auth.login("sales")

    answer = reassign(client, lead_id, person)

    assert answer.status_code == 422
    assert "does not take leads" in text_of(soup(answer), "#new_owner-error")
    typed = page_inputs(answer.get_data(as_text=True), "form.action--reassign")
    assert typed["why"] == "Bas knows this bakery"
    assert owner_of(app, lead_id) == sanne and owner_changes(app) == []


@pytest.mark.parametrize("new_owner", ["", "anna", "-3", "0", str(2**31), "9" * 20])
def test_a_choice_that_names_nobody_is_refused(app, client, auth, sanne, new_owner):
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("sales")

    answer = reassign(client, lead_id, new_owner, **HTMX)

    assert answer.status_code == 422
    assert text_of(soup(answer), "#new_owner-error") == "Choose who takes this lead."
    assert owner_changes(app) == []


def test_someone_away_today_is_refused_since_they_would_not_answer(app, client, auth, sanne, bas):
    add_absence_row(app, bas, today(app) - days(1), today(app) + days(2))
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("sales")

    answer = reassign(client, lead_id, bas, **HTMX)

    assert answer.status_code == 422
    assert "Bas Bakker is away until" in text_of(soup(answer), "#new_owner-error")
    assert owner_of(app, lead_id) == sanne and owner_changes(app) == []


def test_someone_away_later_can_take_it_today(app, client, auth, sanne, bas):
    add_absence_row(app, bas, today(app) + days(1), today(app) + days(2))
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("sales")

    assert reassign(client, lead_id, bas).status_code == 303
    assert owner_of(app, lead_id) == bas


def test_giving_a_lead_to_its_owner_says_so_and_logs_nothing(app, client, auth, sanne):
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("sales")

    answer = reassign(client, lead_id, sanne, **HTMX)

    assert answer.status_code == 200
    assert text_of(soup(answer), ".flash") == "Sanne de Vries has this lead already."
    assert owner_changes(app) == []


def test_an_admin_can_reassign_too(app, client, auth, sanne, bas, users):
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("admin")

    assert reassign(client, lead_id, bas).status_code == 303
    assert owner_changes(app) == [(lead_id, sanne, bas, "Bas knows this bakery", users["admin"][0])]


def test_nobody_logged_out_can_reassign(app, client, sanne, bas):
    lead_id = a_lead(app, owner_id=sanne)
    # A real CSRF token, so the login check itself is what refuses the post.
    token = login_token(client)

    answer = client.post(
        f"/sales/leads/{lead_id}/owner",
        data={"csrf_token": token, "new_owner": str(bas), "why": "Because"},
    )

    assert answer.status_code == 302 and answer.location.startswith("/login")
    assert owner_of(app, lead_id) == sanne and owner_changes(app) == []


def test_a_reassign_without_the_csrf_token_is_refused(app, client, auth, sanne, bas):
    lead_id = a_lead(app, owner_id=sanne)
    auth.login("sales")

    answer = client.post(
        f"/sales/leads/{lead_id}/owner", data={"new_owner": str(bas), "why": "Because"}
    )

    assert answer.status_code == 400
    assert owner_of(app, lead_id) == sanne and owner_changes(app) == []


def test_a_lead_that_is_gone_is_404(app, client, auth, bas):
    auth.login("sales")
    token = auth.csrf_token()

    answer = client.post(
        "/sales/leads/424242/owner", data={"csrf_token": token, "new_owner": bas, "why": "x"}
    )

    assert answer.status_code == 404


def test_the_new_owner_is_told_by_e_mail_with_the_reason(make_demo_app):
    with smtp_inbox() as smtp:
        app = make_demo_app(
            LEADS_SMTP_HOST="127.0.0.1",
            LEADS_SMTP_PORT=smtp.port,
            LEADS_SMTP_TLS="none",
            LEADS_OUTBOX_BACKOFF_SECONDS=0,
        )
        sanne = add_person(app, "sanne@leadgate.test", name="Sanne de Vries")
        bas = add_person(app, "bas@leadgate.test", name="Bas Bakker", language="nl")
        lead_id = a_lead(app, owner_id=sanne, name="Marleen Visser")
        client = app.test_client()
        log_in(client, "sanne@leadgate.test")

        reassign(client, lead_id, bas, why="Bas knows this bakery")

        with app.app_context():
            rows = db.session.scalars(db.select(Outbox).order_by(Outbox.id)).all()
            assert [(row.event, row.channel, row.target, row.lead_id) for row in rows] == [
                ("lead.assigned", "email", "bas@leadgate.test", lead_id)
            ]
            assert rows[0].payload["why"] == "Bas knows this bakery"
            assert rows[0].payload["by"] == "Sanne de Vries"
            while deliver_due():
                pass
        (envelope,) = smtp.messages
        assert envelope.rcpt_tos == ["bas@leadgate.test"]
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert "Marleen Visser" in mail["Subject"]
        assert "Bas knows this bakery" in mail.get_content()


def test_a_disqualified_lead_cannot_be_given_an_owner(app, client, auth, sanne, bas):
    lead_id = a_lead(app, list="disqualified")
    auth.login("sales")
    assert soup(client.get(f"/sales/leads/{lead_id}")).select_one(".action--reassign") is None

    answer = reassign(client, lead_id, bas)

    assert answer.status_code == 422
    assert "A disqualified lead has no owner" in answer.get_data(as_text=True)
    assert owner_of(app, lead_id) is None
    assert owner_changes(app) == []
