"""One lead per person: returning visitors, pinned lists, simultaneous posts."""

import threading
from datetime import timedelta

from sqlalchemy import text

from capture.domain.rules import DEFAULT_RULES
from capture.extensions import WRITE_OPTION, db
from capture.intake.consent import wording_for
from capture.intake.recording import record_contact_step
from capture.models import Form, Lead, ListChange, Submission, utcnow
from capture.qualification import lead_warmth

from ..visitor import CONTACT, Visitor


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
    # First touch stays; answers update; interest moves.
    assert (lead.channel, lead.utm_campaign) == ("social", "ebook-launch")
    assert lead.company == "Bakkerij Jansen B.V."
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
