"""A returning lead's changed answers: both versions side by side, one action
to accept them (logged, routed again) or keep the stored ones, and a filter."""

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Lead, ListChange, Note

from ..support.visitor import CONTACT, Visitor, page_inputs


@pytest.fixture
def sales(auth):
    return auth.login("sales")


def returning_with_other_answers(app):
    """A small firm's lead (disqualified), then someone says it is large."""
    Visitor(app.test_client()).submit("demo-ebook", qualify={"headcount": "2-9"})
    Visitor(app.test_client()).submit(
        "demo-contact", contact={"company": "Jansen Holding"}, qualify={"headcount": "250-999"}
    )
    with app.app_context():
        return db.session.scalar(db.select(Lead.id))


def lead_of(app, lead_id: int) -> Lead:
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.notes, lead.list_changes  # noqa: B018 - load while the session is open
        return lead


def decide(client, lead_id: int, decision: str, seen: str | None = None):
    page = client.get(f"/sales/leads/{lead_id}").get_data(as_text=True)
    values = page_inputs(page, within="#changed-answers")
    if seen is not None:
        values["seen"] = seen
    return client.post(f"/sales/leads/{lead_id}/answers", data={**values, "decision": decision})


def test_the_lead_page_shows_the_stored_and_the_new_answers_side_by_side(app, client, sales):
    lead_id = returning_with_other_answers(app)

    page = BeautifulSoup(
        client.get(f"/sales/leads/{lead_id}").get_data(as_text=True), "html.parser"
    )

    section = page.select_one("#changed-answers")
    assert "Answers changed — check" in section.get_text()
    rows = [
        [cell.get_text(strip=True) for cell in row.select("th, td")]
        for row in section.select("tbody tr")
    ]
    assert rows == [
        ["Company", "Bakkerij Jansen", "Jansen Holding"],
        ["Employees", "2-9", "250-999"],
    ]


def test_accepting_the_changed_answers_applies_them_routes_again_and_is_logged(app, client, sales):
    lead_id = returning_with_other_answers(app)

    answer = decide(client, lead_id, "accept")

    assert answer.status_code == 303
    lead = lead_of(app, lead_id)
    assert (lead.company, lead.headcount) == ("Jansen Holding", "250-999")
    assert (lead.changed_answers, lead.answers_changed_at) == (None, None)
    assert lead.list == "opportunity"
    last_move = lead.list_changes[-1]
    assert (last_move.from_list, last_move.to_list, last_move.user_id) == (
        "disqualified",
        "opportunity",
        sales,
    )
    assert last_move.reason.startswith("Changed answers accepted")
    (note,) = lead.notes
    assert note.user_id == sales
    assert "Accepted the changed answers" in note.body and "2-9 → 250-999" in note.body
    page = client.get(f"/sales/leads/{lead_id}").get_data(as_text=True)
    assert 'id="changed-answers"' not in page


def test_keeping_the_stored_answers_drops_the_new_ones_and_is_logged(app, client, sales):
    lead_id = returning_with_other_answers(app)

    answer = decide(client, lead_id, "keep")

    assert answer.status_code == 303
    lead = lead_of(app, lead_id)
    assert (lead.company, lead.headcount, lead.list) == ("Bakkerij Jansen", "2-9", "disqualified")
    assert lead.changed_answers is None
    (note,) = lead.notes
    assert "Kept the stored answers" in note.body and "Jansen Holding" in note.body


def test_answers_that_changed_again_after_the_page_was_opened_are_not_accepted_blindly(
    app, client, sales
):
    lead_id = returning_with_other_answers(app)
    page = client.get(f"/sales/leads/{lead_id}").get_data(as_text=True)
    seen = page_inputs(page, within="#changed-answers")["seen"]
    Visitor(app.test_client()).submit("demo-contact", qualify={"headcount": "1000+"})

    answer = decide(client, lead_id, "accept", seen=seen)

    assert answer.status_code == 422
    assert "Newer answers came in" in answer.get_data(as_text=True)
    lead = lead_of(app, lead_id)
    assert (lead.headcount, lead.changed_answers["headcount"]) == ("2-9", "1000+")
    assert lead.notes == []


def test_a_decision_other_than_accept_or_keep_is_refused(app, client, sales):
    lead_id = returning_with_other_answers(app)

    answer = decide(client, lead_id, "overwrite")

    assert answer.status_code == 422
    assert lead_of(app, lead_id).changed_answers is not None


def test_the_sales_list_filters_the_leads_whose_answers_changed(app, client, sales):
    returning_with_other_answers(app)
    Visitor(app.test_client()).submit(
        "demo-contact", contact={**CONTACT, "email": "other@example.nl"}
    )

    everyone = client.get("/sales/?list=disqualified").get_data(as_text=True)
    flagged = client.get("/sales/?list=opportunity&changed=1").get_data(as_text=True)
    flagged_disqualified = client.get("/sales/?list=disqualified&changed=1")

    assert "answers changed — check" in everyone
    assert "Anna Jansen" not in flagged  # the other lead has nothing to check
    rows = BeautifulSoup(flagged_disqualified.get_data(as_text=True), "html.parser")
    assert [a.get_text() for a in rows.select("td.who a")] == ["Anna Jansen"]
    box = rows.select_one("input[name=changed]")
    assert box.has_attr("checked")


def test_a_moved_lead_that_accepts_answers_keeps_its_pinned_list(app, client, sales):
    lead_id = returning_with_other_answers(app)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.list, lead.pinned, lead.reason = "nurture", True, "Call in spring"
        db.session.commit()

    decide(client, lead_id, "accept")

    lead = lead_of(app, lead_id)
    assert (lead.list, lead.pinned, lead.headcount) == ("nurture", True, "250-999")
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(ListChange.id)).where(ListChange.user_id == sales)
            )
            == 0
        )
        assert db.session.scalar(db.select(db.func.count(Note.id))) == 1
