"""Rows written with plain SQL (capture/plain_writes.py) are stored as the ORM
would store them, and the session is left as if it had loaded them."""

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from capture.extensions import db
from capture.models import Lead, ListChange, Submission, utcnow
from capture.plain_writes import insert_now, write_now


def new_lead(email: str, nonce: str = "") -> Lead:
    now = utcnow()
    lead = Lead(
        email_key=email,
        email=email,
        name="Anna Jansen",
        list="nurture",
        reason="Nurture: not qualified yet",
        channel="direct",
        first_interest_at=now,
        last_interest_at=now,
    )
    ListChange(lead=lead, to_list="nurture", reason="first routing")
    Submission(
        lead=lead,
        nonce=nonce or f"nonce-{email}",
        intent="high",
        channel="direct",
        answers={"email": email},
    )
    return lead


class Statements:
    """Count the SQL statements the app's engine runs."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self.seen)

    def seen(self, *_):
        self.count += 1


def test_new_rows_are_stored_with_their_defaults_and_loaded_without_a_query(app):
    with app.app_context():
        lead = new_lead("anna@bakkerij.nl")
        db.session.add(lead)  # pending, as a cascade would make it
        insert_now(lead, *lead.submissions, *lead.list_changes)

        assert not db.session.new and not db.session.dirty
        statements = Statements(db.engine)
        submission = lead.submissions[0]
        shown = (lead.id, lead.pinned, lead.company, submission.lead_id, submission.created_at)
        assert statements.count == 0  # all known without asking the database
        db.session.commit()
        assert statements.count == 0  # nothing left to flush

        db.session.expunge_all()
        stored = db.session.get(Lead, shown[0])
        assert (stored.id, stored.pinned, stored.company) == shown[:3]
        assert stored.submissions[0].lead_id == shown[0]
        assert stored.submissions[0].answers == {"email": "anna@bakkerij.nl"}
        assert [change.to_list for change in stored.list_changes] == ["nurture"]
        assert stored.list_changes[0].created_at is not None


def test_a_refused_insert_rolled_back_leaves_the_session_able_to_retry(app):
    with app.app_context():
        first = new_lead("anna@bakkerij.nl")
        insert_now(first, *first.submissions, *first.list_changes)
        db.session.commit()

        # The lead goes in, its submission is refused: the same form nonce.
        replay = new_lead("piet@bakkerij.nl", nonce="nonce-anna@bakkerij.nl")
        with pytest.raises(IntegrityError):
            insert_now(replay, *replay.submissions, *replay.list_changes)
        db.session.rollback()

        # A new lead may be given the id the rolled-back one had; the session
        # must not still hold that one.
        other = new_lead("piet@bakkerij.nl")
        insert_now(other, *other.submissions, *other.list_changes)
        db.session.commit()
        db.session.expunge_all()
        emails = db.session.scalars(db.select(Lead.email).order_by(Lead.email)).all()
        assert emails == ["anna@bakkerij.nl", "piet@bakkerij.nl"]


def test_changes_to_a_stored_row_and_its_new_children_are_written_at_once(app):
    with app.app_context():
        lead = new_lead("anna@bakkerij.nl")
        insert_now(lead, *lead.submissions, *lead.list_changes)
        db.session.commit()

        lead.list, lead.score = "opportunity", 190
        db.session.add(
            ListChange(lead=lead, from_list="nurture", to_list="opportunity", reason="fit")
        )
        write_now(lead)
        lead_id = lead.id
        statements = Statements(db.engine)
        db.session.commit()
        assert statements.count == 0

        db.session.expunge_all()
        stored = db.session.get(Lead, lead_id)
        assert (stored.list, stored.score) == ("opportunity", 190)
        assert [c.to_list for c in stored.list_changes] == ["nurture", "opportunity"]
