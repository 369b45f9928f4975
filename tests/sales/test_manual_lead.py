"""Adding a lead by hand: same validation and routing, channel manual or event."""

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Lead, ListChange, Submission

from ..support.visitor import Visitor, page_inputs

PATH = "/sales/leads/new"
CARD = {
    "email": "Marleen@Drukkerij-Visser.nl",
    "name": "Marleen Visser",
    "company": "Drukkerij Visser",
    "phone": "+31 20 555 0101",
    "sector": "manufacturing",
    "headcount": "50-99",
    "role": "owner",
    "interest": "demo",
    "channel": "manual",
}


def add_by_hand(client, **fields):
    """Open the form and post it with `CARD`, changed by `fields` (None leaves one out)."""
    values = {**page_inputs(client.get(PATH).get_data(as_text=True)), **CARD, **fields}
    return client.post(PATH, data={k: v for k, v in values.items() if v is not None})


def field_errors(response) -> dict:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {
        p["id"].removesuffix("-error"): p.get_text(strip=True)
        for p in soup.select("p[id$='-error']")
    }


def stored_leads(app) -> list[Lead]:
    with app.app_context():
        leads = db.session.scalars(db.select(Lead).order_by(Lead.id)).all()
        for lead in leads:
            lead.submissions  # noqa: B018 - load while the session is open
            lead.list_changes  # noqa: B018
        return leads


def test_a_lead_taken_on_the_phone_is_stored_as_manual_made_by_that_sales_person(app, client, auth):
    user_id = auth.login("sales")

    answer = add_by_hand(client)

    (lead,) = stored_leads(app)
    assert answer.status_code == 302
    assert answer.location.endswith(f"/sales/leads/{lead.id}")
    assert (lead.email, lead.email_key) == (
        "Marleen@drukkerij-visser.nl",
        "marleen@drukkerij-visser.nl",
    )
    assert (lead.name, lead.company, lead.sector, lead.headcount, lead.role) == (
        "Marleen Visser",
        "Drukkerij Visser",
        "manufacturing",
        "50-99",
        "owner",
    )
    assert (lead.channel, lead.list) == ("manual", "opportunity")
    assert "high intent" in lead.reason
    (submission,) = lead.submissions
    assert (submission.form_id, submission.entered_by_id) == (None, user_id)
    assert (submission.channel, submission.intent) == ("manual", "high")
    assert submission.answers["phone"] == "+31 20 555 0101"
    assert [(c.from_list, c.to_list, c.reason) for c in lead.list_changes] == [
        (None, "opportunity", lead.reason)
    ]


def test_a_business_card_from_a_fair_is_recorded_with_the_event_channel(app, client, auth):
    auth.login("sales")

    add_by_hand(client, channel="event", interest="information")

    (lead,) = stored_leads(app)
    assert (lead.channel, lead.submissions[0].channel) == ("event", "event")
    assert lead.submissions[0].intent == "medium"
    assert lead.list == "nurture"  # a fit, not ready: information is medium intent


@pytest.mark.parametrize(
    ("interest", "intent", "engagement"),
    [("demo", "high", 60), ("information", "medium", 20), ("newsletter", "low", 5)],
)
def test_the_kind_of_interest_sets_the_intent_and_its_engagement_points(
    app, client, auth, interest, intent, engagement
):
    auth.login("sales")

    add_by_hand(client, interest=interest)

    (lead,) = stored_leads(app)
    assert (lead.submissions[0].intent, lead.engagement_score) == (intent, engagement)


def test_a_hand_entered_firm_of_2_to_9_employees_is_disqualified_as_too_small(app, client, auth):
    auth.login("sales")

    add_by_hand(client, headcount="2-9")

    (lead,) = stored_leads(app)
    assert lead.list == "disqualified"
    assert lead.reason.startswith("Too small: 2-9 employees")


def test_a_hand_entry_for_a_known_email_adds_to_that_lead_and_keeps_its_first_touch(
    app, client, auth
):
    Visitor(app.test_client()).submit(
        "demo-ebook",
        contact={"email": "marleen@drukkerij-visser.nl"},
        qualify={"sector": "manufacturing", "headcount": "50-99"},
        query="utm_source=linkedin&utm_medium=social&utm_campaign=ebook-launch",
    )
    (before,) = stored_leads(app)
    assert before.list == "nurture"
    auth.login("sales")

    answer = add_by_hand(client, email="MARLEEN@drukkerij-visser.nl", channel="event")

    (lead,) = stored_leads(app)
    assert answer.location.endswith(f"/sales/leads/{lead.id}")
    assert [s.channel for s in lead.submissions] == ["social", "event"]
    assert (lead.channel, lead.utm_source, lead.utm_campaign) == (
        "social",
        "linkedin",
        "ebook-launch",
    )
    assert lead.first_interest_at == before.first_interest_at
    assert lead.last_interest_at > before.last_interest_at
    assert lead.list == "opportunity"
    assert [(c.from_list, c.to_list) for c in lead.list_changes] == [
        (None, "nurture"),
        ("nurture", "opportunity"),
    ]


def test_a_double_clicked_hand_entry_is_stored_once(app, client, auth):
    auth.login("sales")
    values = {**page_inputs(client.get(PATH).get_data(as_text=True)), **CARD}

    first = client.post(PATH, data=values)
    second = client.post(PATH, data=values)

    (lead,) = stored_leads(app)
    assert len(lead.submissions) == 1
    assert first.location == second.location


def test_the_same_page_sent_again_for_another_person_asks_to_check_and_send_again(
    app, client, auth
):
    auth.login("sales")
    values = {**page_inputs(client.get(PATH).get_data(as_text=True)), **CARD}
    client.post(PATH, data=values)

    again = client.post(PATH, data={**values, "email": "someone.else@example.nl"})

    assert again.status_code == 422
    assert "already sent for another lead" in again.get_data(as_text=True)
    assert page_inputs(again.get_data(as_text=True))["nonce"] != values["nonce"]
    assert len(stored_leads(app)) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": None}, "email"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"phone": "call me"}, "phone"),
        ({"sector": ""}, "sector"),
        ({"sector": "piracy"}, "sector"),
        ({"headcount": None}, "headcount"),
        ({"headcount": "12"}, "headcount"),
        ({"role": "emperor"}, "role"),
        ({"need": "x" * 2001}, "need"),
        ({"interest": None}, "interest"),
        ({"interest": "gossip"}, "interest"),
        ({"channel": "paid"}, "channel"),
    ],
)
def test_invalid_input_is_refused_with_422_a_message_at_the_field_and_the_input_kept(
    app, client, auth, changes, field
):
    auth.login("sales")

    answer = add_by_hand(client, **changes)

    assert answer.status_code == 422
    assert field in field_errors(answer)
    kept = page_inputs(answer.get_data(as_text=True))
    if field != "name":
        assert kept["name"] == CARD["name"]
    if field != "company":
        assert kept["company"] == CARD["company"]
    assert stored_leads(app) == []


def test_all_fields_are_kept_when_one_is_wrong(app, client, auth):
    auth.login("sales")

    answer = add_by_hand(client, email="nope", need="Wants a quote for 40 licences")

    kept = page_inputs(answer.get_data(as_text=True))
    for name in ("email", "name", "company", "phone", "need"):
        assert (
            kept[name] == {**CARD, "email": "nope", "need": "Wants a quote for 40 licences"}[name]
        )
    soup = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert soup.select_one("select[name=sector] option[selected]")["value"] == "manufacturing"
    assert soup.select_one("input[name=interest][checked]")["value"] == "demo"


def test_a_sales_user_without_a_csrf_token_is_refused(app, client, auth):
    auth.login("sales")

    answer = add_by_hand(client, csrf_token=None)

    assert answer.status_code == 400
    assert stored_leads(app) == []


def test_the_form_starts_on_the_manual_channel(client, auth):
    auth.login("sales")

    page = client.get(PATH)

    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    assert soup.select_one("input[name=channel][checked]")["value"] == "manual"
    assert soup.select_one("input[name=csrf_token]")


def test_an_anonymous_visitor_is_sent_to_login(client):
    answer = client.get(PATH)

    assert answer.status_code == 302
    assert answer.location.startswith("/login")


def test_an_anonymous_post_stores_nothing(app, client):
    answer = client.post(PATH, data=CARD)

    assert answer.status_code in (302, 400)  # no session: no CSRF token, no login
    assert stored_leads(app) == []


def test_an_admin_may_add_a_lead_too(app, client, auth):
    admin_id = auth.login("admin")

    add_by_hand(client)

    (lead,) = stored_leads(app)
    assert lead.submissions[0].entered_by_id == admin_id


def test_routing_of_a_hand_entry_is_logged_as_made_by_the_rules(app, client, auth):
    auth.login("sales")

    add_by_hand(client)

    with app.app_context():
        (change,) = db.session.scalars(db.select(ListChange)).all()
        assert change.actor == "rules"
        assert db.session.scalar(db.select(Submission.entered_by_id)) is not None


def test_the_sectors_offered_by_hand_are_the_rules_in_force_not_a_workers_kept_copy(
    app, client, auth
):
    from sqlalchemy import text

    from capture.db.cache import process_cache

    auth.login("sales")
    process_cache(app).clock = lambda: 1000.0  # what a worker keeps stays "fresh"
    Visitor(client).submit("demo-contact")  # the public form's rules are kept now
    with app.app_context(), db.engine.begin() as connection:  # another worker's edit
        connection.execute(
            text(
                "INSERT INTO settings (key, value, updated_at) VALUES ('qualification_rules',"
                ' \'{"sectors": ["bakeries", "retail"]}\', CURRENT_TIMESTAMP)'
            )
        )

    options = BeautifulSoup(client.get(PATH).get_data(as_text=True), "html.parser").select(
        "select[name=sector] option"
    )
    assert [o["value"] for o in options if o["value"]] == ["bakeries", "retail"]
    assert add_by_hand(client, sector="bakeries").status_code == 302
