"""Leads routed by the default rules, and what a change of the rules did to them:
each lead's list, and the log of list changes."""

from capture.domain.rules import DEFAULT_RULES
from capture.extensions import db
from capture.leads.qualification import requalify
from capture.models import Lead, ListChange, Submission

from .factories import make_lead


def routed_lead(headcount="10-49", intents=("medium",), pinned=False, **values) -> Lead:
    """A lead on the list the default rules give it (no log yet), with submissions of `intents`."""
    lead = make_lead(headcount=headcount, sector=values.pop("sector", "retail"), **values)
    first = db.session.scalars(db.select(Submission).where(Submission.lead_id == lead.id)).one()
    first.intent = intents[0]
    for number, intent in enumerate(intents[1:]):
        db.session.add(
            Submission(
                lead_id=lead.id,
                nonce=f"{lead.email}-{number}",
                intent=intent,
                channel="direct",
                created_at=first.created_at,
            )
        )
    db.session.flush()
    requalify(lead, DEFAULT_RULES)
    db.session.execute(db.delete(ListChange).where(ListChange.lead_id == lead.id))
    lead.pinned = pinned
    return lead


def snapshot(app) -> dict[int, tuple]:
    with app.app_context():
        return {
            lead.id: (lead.list, lead.reason, lead.score, lead.pinned)
            for lead in db.session.scalars(db.select(Lead))
        }


def logged(app) -> list[tuple]:
    with app.app_context():
        return [
            (c.lead_id, c.from_list, c.to_list, c.reason, c.user_id)
            for c in db.session.scalars(db.select(ListChange).order_by(ListChange.id))
        ]
