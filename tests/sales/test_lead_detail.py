"""A lead's page: everything about the lead, and what sales do with it there."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy.orm import selectinload

from capture.extensions import db
from capture.models import Lead, ListChange, Note

from ..support.auth import Auth
from ..support.visitor import CONTACT, Visitor

HTMX = {"HX-Request": "true"}
DEMO_QUALIFY = {
    "sector": "manufacturing",
    "headcount": "100-249",
    "role": "owner",
    "budget": "yes",
    "timeline": "3-months",
    "need": "A CRM that the whole team uses",
}


@pytest.fixture
def sales(auth):
    """The client, logged in as the sales person; returns that user's id."""
    return auth.login("sales")


def submit(app, slug: str, **kwargs):
    """A visitor sends a form, from their own browser (not the sales session)."""
    return Visitor(app.test_client()).submit(slug, **kwargs)


def the_lead(app, email: str = CONTACT["email"]) -> Lead:
    with app.app_context():
        return db.session.scalars(
            db.select(Lead)
            .where(Lead.email_key == email.casefold())
            .options(
                selectinload(Lead.list_changes).selectinload(ListChange.user),
                selectinload(Lead.notes).selectinload(Note.user),
            )
        ).one()


def lead_page(client, lead_id: int):
    answer = client.get(f"/sales/leads/{lead_id}")
    assert answer.status_code == 200
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


def text_of(soup, selector: str) -> str:
    return " ".join(soup.select_one(selector).get_text(" ", strip=True).split())


def act(client, lead_id: int, action: str, data: dict | None = None, **headers):
    """Post one of the lead's action forms, with the page's CSRF token."""
    token = Auth(client, {}).csrf_token(f"/sales/leads/{lead_id}")
    return client.post(
        f"/sales/leads/{lead_id}/{action}",
        data={"csrf_token": token, **(data or {})},
        headers=headers,
    )


def log_rows(app, lead_id: int) -> list[tuple]:
    with app.app_context():
        changes = db.session.scalars(
            db.select(ListChange).where(ListChange.lead_id == lead_id).order_by(ListChange.id)
        ).all()
        return [(c.from_list, c.to_list, c.reason, c.user_id) for c in changes]


# The page


def test_the_lead_page_shows_contact_details_answers_and_the_score_breakdown(app, client, sales):
    submit(app, "demo-contact", contact={"phone": "+31 6 1234 5678"}, qualify=DEMO_QUALIFY)
    lead = the_lead(app)

    page = lead_page(client, lead.id)

    assert page.select_one(f'a[href="mailto:{CONTACT["email"]}"]')
    assert page.select_one('a[href="tel:+31612345678"]').get_text() == "+31 6 1234 5678"
    contact = text_of(page, "section[aria-labelledby=contact-heading]")
    for answer in ("manufacturing", "100-249", "owner", "3-months", "A CRM that the whole team"):
        assert answer in contact
    score = text_of(page, "section[aria-labelledby=score-heading]")
    assert f"fit {lead.fit_score} + engagement {lead.engagement_score}" in score
    assert all(reason in score for reason in lead.score_reasons)
    assert text_of(page, ".lead-glance .badge").startswith("hot ·")
    assert "waiting" in text_of(page, ".first-response")
    assert text_of(page, "#lead-panel .list-name") == "opportunity"


def test_the_lead_page_shows_every_submission_newest_first_with_its_attribution(app, client, sales):
    submit(
        app,
        "demo-ebook",
        query="utm_source=linkedin&utm_medium=social&utm_campaign=ebook-launch"
        "&utm_term=crm&utm_content=carousel&li_fat_id=li-123",
        Referer="https://www.linkedin.com/feed/",
    )
    contact_only = Visitor(app.test_client())
    contact_only.open("demo-contact", "utm_source=newsletter&utm_medium=email")
    contact_only.post({**CONTACT, "consent": "y"})

    page = lead_page(client, the_lead(app).id)

    newest, oldest = page.select("li.submission")
    assert "Ask for a demo" in text_of(newest, "h3")
    assert "contact step only" in newest.get_text()
    assert text_of(newest, ".channel") == "email"
    assert "Free e-book" in text_of(oldest, "h3")
    assert "completed" in oldest.get_text()
    attribution = oldest.get_text(" ", strip=True)
    assert text_of(oldest, ".channel") == "paid"  # a click id wins
    for value in ("linkedin", "social", "ebook-launch", "crm", "carousel", "li_fat_id", "li-123"):
        assert value in attribution
    assert oldest.select_one('a[href="https://www.linkedin.com/feed/"]')  # the referrer
    assert "/f/demo-ebook" in attribution  # landing page and form page
    assert "50-99" in text_of(oldest, ".answers")


def test_the_lead_page_lists_the_ebook_downloads(app, client, sales):
    visitor = Visitor(app.test_client())
    done = visitor.submit("demo-ebook")
    link = BeautifulSoup(done.get_data(as_text=True), "html.parser").select_one("a[download]")
    assert visitor.client.get(link["href"]).status_code == 200

    downloads = text_of(lead_page(client, the_lead(app).id), "#lead-downloads")

    assert "Lead management for small firms" in downloads


def test_the_log_names_the_rules_and_the_sales_person_who_moved_the_lead(app, client, sales):
    submit(app, "demo-ebook")
    lead = the_lead(app)
    act(client, lead.id, "move", {"to_list": "opportunity", "other_reason": "Called: wants a demo"})

    entries = lead_page(client, lead.id).select("#lead-log li")

    assert [text_of(entry, ".log-actor") for entry in entries] == ["sales@leadgate.test", "rules"]
    newest = " ".join(entries[0].get_text(" ", strip=True).split())
    assert "nurture → opportunity" in newest and "Called: wants a demo" in newest
    assert "new lead → nurture" in " ".join(entries[1].get_text(" ", strip=True).split())


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("post", "/move"),
        ("post", "/contacted"),
        ("post", "/outcome"),
        ("post", "/notes"),
        ("post", "/answers"),
    ],
)
def test_a_lead_that_does_not_exist_is_not_found(client, sales, method, path):
    token = Auth(client, {}).csrf_token()
    answer = getattr(client, method)(f"/sales/leads/999999{path}", data={"csrf_token": token})
    assert answer.status_code == 404


# Moving between lists


def test_moving_a_lead_with_a_reason_pins_it_and_logs_who_from_to_and_why(app, client, sales):
    submit(app, "demo-contact")
    lead = the_lead(app)

    answer = act(
        client,
        lead.id,
        "move",
        {"to_list": "disqualified", "reason": "Competitor", "other_reason": ""},
    )

    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/sales/leads/{lead.id}")
    moved = the_lead(app)
    assert (moved.list, moved.reason, moved.pinned) == ("disqualified", "Competitor", True)
    assert log_rows(app, lead.id)[-1] == ("opportunity", "disqualified", "Competitor", sales)
    flash = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Moved to disqualified." in flash


def test_a_chosen_reason_and_typed_words_are_kept_together(app, client, sales):
    submit(app, "demo-contact")
    lead = the_lead(app)

    act(
        client,
        lead.id,
        "move",
        {"to_list": "disqualified", "reason": "Too small", "other_reason": "3 people"},
    )

    assert the_lead(app).reason == "Too small: 3 people"


def test_disqualifying_without_a_reason_is_refused_and_changes_nothing(app, client, sales):
    submit(app, "demo-contact")
    before = the_lead(app)

    answer = act(client, before.id, "move", {"to_list": "disqualified", "reason": ""})

    assert answer.status_code == 422
    page = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert text_of(page, "#reason-error") == "Choose why this lead is disqualified."
    assert page.select_one("#reason")["aria-invalid"] == "true"
    assert page.select_one("#to_list option[selected]")["value"] == "disqualified"  # kept
    after = the_lead(app)
    assert (after.list, after.reason, after.pinned) == (before.list, before.reason, False)
    assert len(log_rows(app, before.id)) == 1


def test_other_as_the_reason_needs_words(app, client, sales):
    submit(app, "demo-contact")
    lead = the_lead(app)

    refused = act(client, lead.id, "move", {"to_list": "disqualified", "reason": "other"})
    accepted = act(
        client,
        lead.id,
        "move",
        {"to_list": "disqualified", "reason": "other", "other_reason": "Bought from us last year"},
    )

    assert refused.status_code == 422
    errors = BeautifulSoup(refused.get_data(as_text=True), "html.parser")
    assert "Say why" in text_of(errors, "#other_reason-error")
    assert accepted.status_code == 303
    assert the_lead(app).reason == "Bought from us last year"


def test_a_disqualification_reason_does_not_fit_another_list(app, client, sales):
    submit(app, "demo-ebook")
    lead = the_lead(app)

    answer = act(client, lead.id, "move", {"to_list": "opportunity", "reason": "Spam or fake"})

    assert answer.status_code == 422
    assert the_lead(app).list == "nurture"


def test_moving_to_another_list_without_words_is_logged_as_moved_by_hand(app, client, sales):
    submit(app, "demo-ebook")
    lead = the_lead(app)

    act(client, lead.id, "move", {"to_list": "opportunity"})

    assert log_rows(app, lead.id)[-1] == ("nurture", "opportunity", "Moved by hand", sales)


def test_choosing_the_current_list_pins_it_with_the_new_reason_and_says_who(app, client, sales):
    submit(app, "demo-ebook")
    lead = the_lead(app)
    move = {"to_list": "nurture", "other_reason": "Budget next year"}

    first = act(client, lead.id, "move", move)
    again = act(client, lead.id, "move", move, **HTMX)

    assert (first.status_code, again.status_code) == (303, 200)
    kept = the_lead(app)
    assert (kept.list, kept.reason, kept.pinned) == ("nurture", "Budget next year", True)
    assert log_rows(app, lead.id)[1:] == [("nurture", "nurture", "Budget next year", sales)]
    assert "Already pinned to nurture" in again.get_data(as_text=True)


def test_a_pinned_lead_stays_on_its_hand_chosen_list_when_the_person_asks_for_a_demo(
    app, client, sales
):
    submit(app, "demo-ebook")
    lead = the_lead(app)
    act(client, lead.id, "move", {"to_list": "disqualified", "reason": "Not a buyer"})

    submit(app, "demo-contact", contact={"email": CONTACT["email"].upper()})

    again = the_lead(app)
    assert (again.list, again.reason, again.pinned) == ("disqualified", "Not a buyer", True)
    assert again.engagement_score == 70  # the score still follows what they did
    assert [row[1] for row in log_rows(app, lead.id)] == ["nurture", "disqualified"]


# First response, outcome, notes


def test_marking_contacted_records_the_first_response_once(app, client, sales):
    submit(app, "demo-contact")
    lead = the_lead(app)

    act(client, lead.id, "contacted")
    first = the_lead(app).first_response_at
    again = act(client, lead.id, "contacted")

    assert first is not None
    assert the_lead(app).first_response_at == first
    assert "Already contacted" in client.get(again.headers["Location"]).get_data(as_text=True)
    page = lead_page(client, lead.id)
    assert "contacted" in text_of(page, ".first-response")
    assert not page.find("button", string="Mark contacted")


def test_an_opportunity_can_be_marked_won(app, client, sales):
    submit(app, "demo-contact")
    lead = the_lead(app)

    answer = act(client, lead.id, "outcome", {"outcome": "won"})

    assert answer.status_code == 303
    won = the_lead(app)
    assert won.outcome == "won" and won.outcome_at is not None
    assert text_of(lead_page(client, lead.id), ".outcome").startswith("won ·")


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_only_an_opportunity_can_be_won_or_lost(app, client, sales, outcome):
    submit(app, "demo-ebook")
    lead = the_lead(app)

    answer = act(client, lead.id, "outcome", {"outcome": outcome})

    assert answer.status_code == 422
    page = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert "Only an opportunity can be won or lost" in text_of(page, "#outcome-error")
    assert the_lead(app).outcome is None


def test_an_outcome_must_be_won_or_lost(app, client, sales):
    submit(app, "demo-contact")
    lead = the_lead(app)

    answer = act(client, lead.id, "outcome", {"outcome": "maybe"})

    assert answer.status_code == 422
    assert "Choose won or lost." in answer.get_data(as_text=True)
    assert the_lead(app).outcome is None


def test_a_note_is_added_with_its_author(app, client, sales):
    submit(app, "demo-contact")
    lead = the_lead(app)

    act(client, lead.id, "notes", {"body": "  Call back Tuesday.\nAsk for Piet.  "})

    (note,) = the_lead(app).notes
    assert (note.body, note.user_id) == ("Call back Tuesday.\nAsk for Piet.", sales)
    notes = text_of(lead_page(client, lead.id), "#lead-notes")
    assert "Call back Tuesday." in notes and "sales@leadgate.test" in notes


@pytest.mark.parametrize(
    ("body", "error"),
    [("   ", "Write something first."), ("x" * 5001, "Keep a note under 5,000 characters.")],
)
def test_an_empty_or_overlong_note_is_refused_with_the_text_kept(app, client, sales, body, error):
    submit(app, "demo-contact")
    lead = the_lead(app)

    answer = act(client, lead.id, "notes", {"body": body})

    assert answer.status_code == 422
    page = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert text_of(page, "#body-error") == error
    assert page.select_one("textarea#body").get_text().strip() == body.strip()
    assert the_lead(app).notes == []


# Safety and htmx


@pytest.mark.parametrize("action", ["move", "contacted", "outcome", "notes", "answers"])
def test_a_post_without_the_csrf_token_is_refused(app, make_app, users, action):
    submit(app, "demo-contact")
    lead = the_lead(app)
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    Auth(client, users).login("sales")
    data = {
        **{"to_list": "disqualified", "reason": "Competitor", "outcome": "won", "body": "Hi"},
        **{"decision": "accept"},
    }

    answer = client.post(f"/sales/leads/{lead.id}/{action}", data=data)

    assert answer.status_code == 400
    after = the_lead(app)
    assert (after.list, after.first_response_at, after.outcome, after.notes) == (
        "opportunity",
        None,
        None,
        [],
    )


def test_hostile_values_are_shown_escaped(app, client, sales):
    name, company = "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'
    submit(
        app,
        "demo-contact",
        contact={"name": name, "company": company},
        qualify={"need": "</textarea><b>need</b>"},
        query="utm_campaign=%3Cb%3Ebold%3C%2Fb%3E&referrer=javascript%3Aalert(1)",
    )
    lead = the_lead(app)
    act(client, lead.id, "notes", {"body": "<i>note</i>"})
    act(client, lead.id, "move", {"to_list": "nurture", "other_reason": "<u>why</u>"})

    html = client.get(f"/sales/leads/{lead.id}").get_data(as_text=True)

    for raw in ("<script>alert(1)", "<img src=x", "<b>bold", "<b>need", "<i>note", "<u>why"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'href="javascript:' not in html


def test_an_htmx_move_gets_the_status_panel_with_the_log_only(app, client, sales):
    submit(app, "demo-contact")
    lead = the_lead(app)

    answer = act(
        client, lead.id, "move", {"to_list": "disqualified", "reason": "Competitor"}, **HTMX
    )

    assert answer.status_code == 200
    assert "HX-Request" in answer.headers["Vary"]
    html = answer.get_data(as_text=True)
    assert "<html" not in html and "<h1" not in html
    part = BeautifulSoup(html, "html.parser")
    assert part.select_one("#lead-panel").get("id") == "lead-panel"
    assert text_of(part, "[role=status]") == "Moved to disqualified."
    assert "opportunity → disqualified" in text_of(part, "#lead-log")


def test_an_htmx_post_with_bad_input_gets_the_part_with_the_error(app, client, sales):
    submit(app, "demo-contact")
    lead = the_lead(app)

    move = act(client, lead.id, "move", {"to_list": "disqualified"}, **HTMX)
    note = act(client, lead.id, "notes", {"body": ""}, **HTMX)

    assert (move.status_code, note.status_code) == (422, 422)
    assert "<html" not in move.get_data(as_text=True) + note.get_data(as_text=True)
    assert "Choose why this lead is disqualified." in move.get_data(as_text=True)
    assert 'id="lead-notes"' in note.get_data(as_text=True)


def test_an_htmx_note_gets_the_notes_only(app, client, sales):
    submit(app, "demo-contact")
    lead = the_lead(app)

    answer = act(client, lead.id, "notes", {"body": "Sent the quote"}, **HTMX)

    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in html
    assert 'id="lead-notes"' in html and 'id="lead-panel"' not in html
    assert "Sent the quote" in html
