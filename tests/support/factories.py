"""Test data: leads with exactly the values a test needs."""

import itertools
from datetime import timedelta

from capture.extensions import db
from capture.models import Lead, Submission, utcnow

_numbers = itertools.count(1)


def make_lead(days_ago: float = 0, score: int = 100, form_id: int | None = None, **values) -> Lead:
    """Add a lead whose last interest was `days_ago`, with one submission.

    Call inside an app context; the caller commits.
    """
    number = next(_numbers)
    when = utcnow() - timedelta(days=days_ago)
    email = values.pop("email", f"lead{number}@example.nl")
    lead = Lead(
        email_key=email.casefold(),
        email=email,
        name=values.pop("name", f"Lead {number}"),
        company=values.pop("company", f"Company {number}"),
        list=values.pop("list", "opportunity"),
        reason=values.pop("reason", "test"),
        channel=values.pop("channel", "direct"),
        score=score,
        first_interest_at=values.pop("first_interest_at", when),
        last_interest_at=when,
        **values,
    )
    db.session.add(lead)
    db.session.flush()
    db.session.add(
        Submission(
            lead_id=lead.id,
            form_id=form_id,
            nonce=f"factory-{number}",
            intent="high",
            channel=lead.channel,
            created_at=when,
        )
    )
    return lead
