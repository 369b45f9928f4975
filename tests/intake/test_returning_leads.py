"""One lead per person: returning visitors, pinned lists, simultaneous posts."""

import re
import threading
from datetime import timedelta

from sqlalchemy import text

from capture.db.connections import WRITE_OPTION
from capture.domain.rules import DEFAULT_RULES
from capture.extensions import db
from capture.leads.consent import wording_for
from capture.leads.qualification import lead_warmth
from capture.leads.recording import record_contact_step
from capture.models import Form, Lead, ListChange, Submission, utcnow

from ..support.visitor import CONTACT, Visitor, page_inputs


def only_lead(app) -> Lead:
    with app.app_context():
        (lead,) = db.session.scalars(db.select(Lead)).all()
        lead.submissions  # noqa: B018 - load while the session is open
        lead.list_changes  # noqa: B018
        return lead


def test_nurtured_lead_that_asks_for_a_demo_becomes_an_opportunity(app, client):
    Visitor(client).submit(
        "demo-ebook", query="utm_source=linkedin&utm_medium=social&utm_campaign=ebook-launch"
    )
    assert only_lead(app).list == "nurture"

    Visitor(client).submit(
        "demo-contact",
        contact={"email": CONTACT["email"].upper(), "company": "Bakkerij Jansen B.V."},
        query="utm_source=newsletter&utm_medium=email",
    )

    lead = only_lead(app)
    assert lead.list == "opportunity"
    assert "high intent" in lead.reason
    assert len(lead.submissions) == 2
    assert [s.channel for s in lead.submissions] == ["social", "email"]
    # First touch stays; an answer that differs is kept aside; interest moves.
    assert (lead.channel, lead.utm_campaign) == ("social", "ebook-launch")
    assert lead.company == "Bakkerij Jansen"
    assert lead.changed_answers == {"company": "Bakkerij Jansen B.V."}
    assert lead.last_interest_at > lead.first_interest_at
    assert (lead.engagement_score, lead.score) == (70, 130)
    moves = [(c.from_list, c.to_list) for c in lead.list_changes]
    assert moves == [(None, "nurture"), ("nurture", "opportunity")]


def test_a_returning_lead_is_matched_on_the_email_whatever_its_case(app, client):
    Visitor(client).submit("demo-ebook", contact={"email": "Piet@Example.COM"})
    Visitor(client).submit("demo-ebook", contact={"email": "piet@example.com"})

    lead = only_lead(app)
    assert lead.email_key == "piet@example.com"
    assert len(lead.submissions) == 2


def test_a_list_chosen_by_sales_is_pinned_against_automatic_routing(app, client):
    Visitor(client).submit("demo-ebook")
    with app.app_context():
        lead = db.session.scalars(db.select(Lead)).one()
        lead.list, lead.pinned, lead.reason = "disqualified", True, "Competitor"
        db.session.commit()

    Visitor(client).submit("demo-contact")

    lead = only_lead(app)
    assert (lead.list, lead.reason, lead.pinned) == ("disqualified", "Competitor", True)
    assert lead.engagement_score == 70  # the score still follows what they did


def test_a_lead_cold_for_months_comes_back_hot_with_its_first_interest_kept(app, client):
    Visitor(client).submit("demo-ebook")
    long_ago = utcnow() - timedelta(days=90)
    with app.app_context():
        db.session.execute(
            db.update(Lead).values(first_interest_at=long_ago, last_interest_at=long_ago)
        )
        db.session.commit()

    with app.app_context():
        was = lead_warmth(db.session.scalars(db.select(Lead)).one(), DEFAULT_RULES)
    assert was == "cold"

    Visitor(client).submit("demo-ebook")

    lead = only_lead(app)
    assert lead.first_interest_at == long_ago
    assert utcnow() - lead.last_interest_at < timedelta(minutes=1)
    assert lead_warmth(lead, DEFAULT_RULES) == "hot"


def _contact_step(app, form_slug, email, nonce):
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == form_slug)).one()
        contact = {"email": email, "name": "Sam", "company": "Sam BV", "consent": True}
        with app.test_request_context():
            consent = wording_for(form)
        return record_contact_step(form, contact, {}, nonce, "leads.test", consent).id


def test_a_simultaneous_first_post_waits_and_joins_the_existing_lead(app):
    """One transaction has inserted the lead but not committed; the second post
    must end up on that lead, not fail and not make a second one."""
    email = "sam@example.org"
    with app.app_context():
        blocker = db.engine.connect()
        transaction = blocker.begin()
        blocker.execute(
            text(
                "INSERT INTO leads (email_key, email, name, company, list, reason, pinned,"
                " fit_score, engagement_score, score, score_reasons, channel,"
                " first_interest_at, last_interest_at, created_at)"
                " VALUES (:key, :key, 'Sam', 'Sam BV', 'nurture', 'first', false, 0, 0, 0,"
                " '[]', 'direct', :now, :now, :now)"
            ),
            {"key": email, "now": utcnow()},
        )
        results = []
        second = threading.Thread(
            target=lambda: results.append(_contact_step(app, "demo-contact", email, "n-2"))
        )
        second.start()
        second.join(timeout=1)
        assert second.is_alive(), "the second post should wait for the first transaction"
        transaction.commit()
        blocker.close()
        second.join(timeout=20)

    assert results, "the second post did not finish"
    with app.app_context():
        leads = db.session.scalars(db.select(Lead)).all()
        assert len(leads) == 1
        submission = db.session.get(Submission, results[0])
        assert submission.lead_id == leads[0].id


def test_many_simultaneous_first_posts_by_one_person_make_one_lead(app):
    email = "rush@example.org"
    barrier = threading.Barrier(6)
    errors, ids = [], []

    def post(number):
        try:
            barrier.wait()
            ids.append(_contact_step(app, "demo-ebook", email, f"nonce-{number}"))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Lead.id))) == 1
        assert db.session.scalar(db.select(db.func.count(Submission.id))) == 6
        first_routings = db.session.scalar(
            db.select(db.func.count(ListChange.id)).where(ListChange.from_list.is_(None))
        )
        assert first_routings == 1


def test_a_list_pinned_while_the_second_step_waits_is_respected(app, client):
    """Sales pin the lead while the visitor's second step waits for the row."""
    visitor = Visitor(client)
    visitor.open("demo-ebook")
    visitor.post({**CONTACT, "consent": "y"})
    with app.app_context():
        lead_id = db.session.scalar(db.select(Lead.id))
        sales = db.engine.connect().execution_options(**{WRITE_OPTION: True})
        sales.execute(
            db.update(Lead)
            .where(Lead.id == lead_id)
            .values(list="opportunity", pinned=True, reason="Called: wants a quote")
        )
    answers = []
    second_step = threading.Thread(
        target=lambda: answers.append(visitor.post({"sector": "ict", "headcount": "2-9"}))
    )
    second_step.start()
    second_step.join(timeout=1)
    assert second_step.is_alive(), "the second step should wait for the sales change"
    sales.commit()
    sales.close()
    second_step.join(timeout=20)

    assert answers and answers[0].status_code == 200
    lead = only_lead(app)
    assert (lead.list, lead.pinned, lead.reason) == ("opportunity", True, "Called: wants a quote")
    assert lead.headcount == "2-9"
    assert [change.to_list for change in lead.list_changes] == ["nurture"]


# A later submission is evidence, not authority (PRODUCT.md, "Default qualification rules").


def test_a_returning_submission_keeps_the_stored_answers_and_sets_the_new_ones_aside(app, client):
    Visitor(client).submit("demo-contact", contact={"phone": "020 123 4567"})

    Visitor(client).submit(
        "demo-contact",
        contact={"name": "Mallory", "company": "Evil Corp", "phone": "06 666 666"},
        qualify={"sector": "retail", "headcount": "1"},
    )

    lead = only_lead(app)
    assert (lead.name, lead.company, lead.phone) == (
        "Anna Jansen",
        "Bakkerij Jansen",
        "020 123 4567",
    )
    assert (lead.sector, lead.headcount) == ("ict", "50-99")
    assert lead.changed_answers == {
        "name": "Mallory",
        "company": "Evil Corp",
        "phone": "06 666 666",
        "sector": "retail",
        "headcount": "1",
    }
    assert lead.answers_changed_at is not None
    # Each submission still keeps what it said.
    assert lead.submissions[-1].answers["company"] == "Evil Corp"


def test_an_answer_that_fills_a_blank_is_taken_and_the_same_answer_is_no_change(app, client):
    Visitor(client).submit("demo-ebook", qualify={"role": ""})

    Visitor(client).submit(
        "demo-ebook",
        contact={"name": "  anna JANSEN ", "company": "BAKKERIJ jansen"},
        qualify={"role": "owner", "sector": "ict"},
    )

    lead = only_lead(app)
    assert lead.role == "owner"
    assert (lead.name, lead.company) == ("Anna Jansen", "Bakkerij Jansen")
    assert lead.changed_answers is None and lead.answers_changed_at is None


def test_a_returning_submission_never_moves_a_lead_down(app, client):
    Visitor(client).submit("demo-contact")
    assert only_lead(app).list == "opportunity"

    # Someone else types the address into the e-book gate as a one-person
    # firm, and as a student (the role was never answered, so it is taken).
    Visitor(client).submit("demo-ebook", qualify={"headcount": "1", "role": "student"})

    lead = only_lead(app)
    assert lead.list == "opportunity"
    assert (lead.headcount, lead.role) == ("50-99", "student")
    assert lead.changed_answers == {"headcount": "1"}
    assert [(c.from_list, c.to_list) for c in lead.list_changes] == [(None, "opportunity")]


def test_a_returning_lead_is_routed_on_its_stored_answers_not_the_new_ones(app, client):
    Visitor(client).submit("demo-ebook", qualify={"headcount": "2-9"})
    assert only_lead(app).list == "disqualified"

    Visitor(client).submit("demo-contact", qualify={"headcount": "250-999"})

    lead = only_lead(app)
    assert (lead.list, lead.headcount) == ("disqualified", "2-9")
    assert lead.changed_answers == {"headcount": "250-999"}


def test_a_new_leads_own_qualifying_step_routes_freely(app, client):
    Visitor(client).submit("demo-contact", qualify={"headcount": "1"})

    lead = only_lead(app)
    assert (lead.list, lead.headcount, lead.changed_answers) == ("disqualified", "1", None)


def test_what_sales_enter_by_hand_is_applied_as_entered(app, client, auth):
    Visitor(client).submit("demo-ebook")
    auth.login("sales")
    page = client.get("/sales/leads/new")
    values = {
        **page_inputs(page.get_data(as_text=True)),
        **CONTACT,
        "company": "Bakkerij Jansen Groep",
        "sector": "retail",
        "headcount": "100-249",
        "interest": "demo",
        "channel": "manual",
    }
    answer = client.post("/sales/leads/new", data=values)

    assert answer.status_code in (302, 303), answer.get_data(as_text=True)
    lead = only_lead(app)
    assert (lead.company, lead.sector, lead.headcount) == (
        "Bakkerij Jansen Groep",
        "retail",
        "100-249",
    )
    assert lead.changed_answers is None


# What the visitor sees follows this submission's own answers, as if new.


def test_the_thank_you_offers_no_call_to_a_known_opportunity_whose_answers_do_not_qualify(
    app, client
):
    first = Visitor(client).submit("demo-contact")
    assert "Book a call now" in first.get_data(as_text=True)

    known = Visitor(client).submit("demo-contact", qualify={"headcount": "1"})
    stranger = Visitor(client).submit(
        "demo-contact", contact={"email": "new@example.nl"}, qualify={"headcount": "1"}
    )

    assert "Book a call now" not in known.get_data(as_text=True)
    assert known.get_data() == stranger.get_data()


def test_a_known_disqualified_address_is_offered_a_call_like_anyone_with_those_answers(app, client):
    Visitor(client).submit("demo-contact", qualify={"headcount": "2-9"})
    assert only_lead(app).list == "disqualified"

    known = Visitor(client).submit("demo-contact")
    stranger = Visitor(client).submit("demo-contact", contact={"email": "new@example.nl"})

    assert "Book a call now" in known.get_data(as_text=True)
    # The same page but for each one's own signed booking link.
    assert without_booking_token(known) == without_booking_token(stranger)


def without_booking_token(page) -> str:
    return re.sub(r"/book/[^\"]+", "/book/…", page.get_data(as_text=True))


def test_a_newsletter_thank_you_does_not_tell_a_confirmed_subscriber_from_a_stranger(
    make_demo_app,
):
    app = make_demo_app(LEADS_SMTP_HOST="127.0.0.1")
    with app.app_context():
        db.session.add(Form(slug="news", kind="newsletter", title="News", intent="low"))
        db.session.commit()
    client = app.test_client()
    Visitor(client).submit("news")
    with app.app_context():
        db.session.execute(
            db.update(Lead).values(newsletter_confirmed_at=utcnow(), marketing_consent_at=utcnow())
        )
        db.session.commit()

    known = Visitor(client).submit("news")
    stranger = Visitor(client).submit("news", contact={"email": "new@example.nl"})

    assert "Almost there" in known.get_data(as_text=True)
    assert known.get_data() == stranger.get_data()


def test_a_hand_entry_between_the_two_steps_of_a_first_submission_is_not_overwritten(
    app, client, auth
):
    visitor = Visitor(app.test_client())
    visitor.open("demo-contact")
    visitor.post({**CONTACT, "consent": "y"})
    auth.login("sales")
    page = client.get("/sales/leads/new").get_data(as_text=True)
    by_hand = {
        **page_inputs(page, within="main form"),
        **CONTACT,
        "sector": "retail",
        "headcount": "100-249",
        "interest": "demo",
        "channel": "manual",
    }
    assert client.post("/sales/leads/new", data=by_hand).status_code in (302, 303)

    visitor.post({"sector": "ict", "headcount": "1"})

    lead = only_lead(app)
    assert (lead.sector, lead.headcount, lead.list) == ("retail", "100-249", "opportunity")
    assert lead.changed_answers == {"sector": "ict", "headcount": "1"}


def test_the_same_differing_answers_sent_again_ask_for_no_new_check(app, client):
    Visitor(client).submit("demo-contact")
    Visitor(client).submit("demo-contact", contact={"company": "Jansen Holding"})
    first_flagged = only_lead(app).answers_changed_at

    Visitor(client).submit("demo-contact", contact={"company": "jansen holding"})

    lead = only_lead(app)
    assert lead.answers_changed_at == first_flagged
    assert lead.changed_answers == {"company": "Jansen Holding"}
