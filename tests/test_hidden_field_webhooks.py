"""The webhook tells the receiver the values host pages passed with a lead
(hidden fields), against a real local HTTP receiver."""

import json
from urllib.parse import urlencode

import pytest

from capture.extensions import db
from capture.models import Form
from capture.notifications.delivery import deliver_due

from .support.visitor import Visitor


@pytest.fixture
def hooked(make_demo_app, receiver):
    """The demo forms, demo-contact taking a plan and a campaign, and a webhook."""
    app = make_demo_app(LEADS_WEBHOOK_URL=receiver.url, LEADS_WEBHOOK_SECRET="s3cret")
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == "demo-contact")).one()
        form.hidden_fields = [
            {"name": "plan", "label": "Plan looked at"},
            {"name": "campaign", "label": "Internal campaign"},
        ]
        db.session.commit()
    return app


def delivered_leads(app, receiver) -> list[dict]:
    with app.app_context():
        deliver_due()
    return [json.loads(body)["lead"] for _, body in receiver.calls]


def test_the_webhook_carries_the_leads_values(hooked, receiver):
    query = urlencode(
        {"embed": "1", "field_plan": "pro", "page_url": "https://x.example/?campaign=q3"}
    )
    Visitor(hooked.test_client()).submit("demo-contact", query=query)

    (lead,) = delivered_leads(hooked, receiver)

    assert lead["fields"] == {"plan": "pro", "campaign": "q3"}


def test_a_lead_without_values_has_empty_fields_in_the_webhook(hooked, receiver):
    Visitor(hooked.test_client()).submit("demo-contact", query="field_colour=red")

    (lead,) = delivered_leads(hooked, receiver)

    assert lead["fields"] == {}
