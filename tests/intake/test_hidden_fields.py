"""Values from the host page (hidden fields): read where the page put them,
carried through the form, stored on the submission and the lead, and never
shown to the visitor."""

from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Form, Lead, Submission
from capture.notifications.delivery import deliver_due

from ..support.servers import smtp_inbox
from ..support.visitor import CONTACT, Visitor, page_inputs

PLAN = {"name": "plan", "label": "Plan looked at"}
CAMPAIGN = {"name": "campaign", "label": "Internal campaign"}
HOST_PAGE = "https://shop.example/pricing"


def declare(app, slug: str, *declared: dict) -> None:
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == slug)).one()
        form.hidden_fields = list(declared)
        db.session.commit()


def stored(app) -> tuple[list[dict], dict]:
    """Each submission's values, oldest first, and the lead's."""
    with app.app_context():
        submissions = db.session.scalars(db.select(Submission).order_by(Submission.id)).all()
        lead = db.session.scalars(db.select(Lead)).one()
        return [s.fields for s in submissions], lead.fields


def embedded(page_url: str = HOST_PAGE, **params) -> str:
    """The query the loader gives the iframe: `field_<name>` for data-field-<name>."""
    return urlencode({"embed": "1", "page_url": page_url, **params})


@pytest.fixture
def contact_form(app):
    declare(app, "demo-contact", PLAN, CAMPAIGN)
    return app


def test_a_value_from_the_snippet_is_stored_on_the_submission_and_the_lead(contact_form, client):
    Visitor(client).submit("demo-contact", query=embedded(field_plan="pro"))

    assert stored(contact_form) == ([{"plan": "pro"}], {"plan": "pro"})


def test_a_value_in_the_host_pages_address_is_stored(contact_form, client):
    query = embedded(f"{HOST_PAGE}?plan=starter&campaign=spring-26&utm_source=news")
    Visitor(client).submit("demo-contact", query=query)

    assert stored(contact_form)[0] == [{"plan": "starter", "campaign": "spring-26"}]


def test_a_value_in_the_hosted_pages_own_address_is_stored(contact_form, client):
    Visitor(client).submit("demo-contact", query="plan=pro")

    assert stored(contact_form)[0] == [{"plan": "pro"}]


@pytest.mark.parametrize(
    ("params", "host_query", "kept"),
    [
        ({"field_plan": "snippet", "plan": "own"}, "?plan=host", "snippet"),
        ({"plan": "own"}, "?plan=host", "host"),
        ({"plan": "own"}, "", "own"),
        ({"field_plan": "  ", "plan": "own"}, "?plan=host", "host"),
        ({"field_plan": "\x01", "plan": "own"}, "?plan=", "own"),
    ],
)
def test_the_snippet_wins_then_the_host_pages_address_then_the_forms_own(
    contact_form, client, params, host_query, kept
):
    Visitor(client).submit("demo-contact", query=embedded(HOST_PAGE + host_query, **params))

    assert stored(contact_form)[0] == [{"plan": kept}]


def test_names_the_form_does_not_declare_are_ignored(contact_form, client):
    query = embedded(
        f"{HOST_PAGE}?colour=red&plan=pro", field_colour="blue", field_email="x@evil.example"
    )
    visitor = Visitor(client)
    page = visitor.open("demo-contact", query).get_data(as_text=True)
    visitor.post({**CONTACT, "consent": "y"})

    hidden = {k for k in page_inputs(page) if k.startswith("field_")}
    assert hidden == {"field_plan"}
    assert stored(contact_form) == ([{"plan": "pro"}], {"plan": "pro"})


def test_a_form_without_declared_values_stores_none(app, client):
    declare(app, "demo-contact")
    Visitor(client).submit("demo-contact", query=embedded(field_plan="pro", plan="pro"))

    assert stored(app) == ([{}], {})


def test_values_are_cut_at_200_characters_without_control_characters(contact_form, client):
    value = "\x00\x1b[31m" + "x" * 300
    Visitor(client).submit("demo-contact", query=embedded(field_plan=value, field_campaign="a\tb"))

    assert stored(contact_form)[0] == [{"plan": "[31m" + "x" * 196, "campaign": "a b"}]


def test_a_tampered_post_stores_only_declared_names_with_bounded_values(contact_form, client):
    visitor = Visitor(client)
    visitor.open("demo-contact", embedded(field_plan="pro"))

    visitor.post(
        {
            **CONTACT,
            "consent": "y",
            "field_plan": "\x07" + "p" * 5000,
            "field_colour": "red",
            "field_email": "mallory@evil.example",
            "colour": "red",
            "field_campaign": "",
        }
    )

    assert stored(contact_form) == ([{"plan": "p" * 200}], {"plan": "p" * 200})


def test_a_value_undeclared_between_showing_and_sending_is_not_stored(contact_form, client):
    visitor = Visitor(client)
    visitor.open("demo-contact", embedded(field_plan="pro", field_campaign="spring"))
    declare(contact_form, "demo-contact", CAMPAIGN)

    visitor.post({**CONTACT, "consent": "y"})

    assert stored(contact_form)[0] == [{"campaign": "spring"}]


def test_values_survive_a_page_with_an_error(contact_form, client):
    visitor = Visitor(client)
    visitor.open("demo-contact", embedded(field_plan="pro"))

    refused = visitor.post({**CONTACT, "email": "not an address", "consent": "y"})
    assert refused.status_code == 422
    assert page_inputs(refused.get_data(as_text=True))["field_plan"] == "pro"
    visitor.post({**CONTACT, "consent": "y"})

    assert stored(contact_form)[0] == [{"plan": "pro"}]


def test_values_survive_a_rate_limited_post(make_demo_app):
    app = make_demo_app(RATELIMIT_ENABLED=True, LEADS_POST_LIMIT="1 per minute")
    declare(app, "demo-contact", PLAN)
    visitor = Visitor(app.test_client())
    visitor.open("demo-contact", embedded(field_plan="pro"))
    assert visitor.post({**CONTACT, "email": "not an address", "consent": "y"}).status_code == 422

    limited = visitor.post({**CONTACT, "consent": "y"})

    assert limited.status_code == 429
    assert page_inputs(limited.get_data(as_text=True))["field_plan"] == "pro"


def test_each_visitor_gets_their_own_values_in_the_same_blank_page(contact_form, client):
    first = Visitor(client).open("demo-contact", embedded(field_plan="starter"))
    second = Visitor(client).open("demo-contact", embedded(field_plan='pro"><b>x'))

    assert page_inputs(first.get_data(as_text=True))["field_plan"] == "starter"
    html = second.get_data(as_text=True)
    assert page_inputs(html)["field_plan"] == 'pro"><b>x'
    assert BeautifulSoup(html, "html.parser").select("b") == []


def test_a_returning_lead_takes_the_latest_value_per_name(contact_form, client):
    Visitor(client).submit("demo-contact", query=embedded(field_plan="starter", campaign="spring"))
    Visitor(client).submit("demo-contact", query=embedded(field_plan="pro"))
    Visitor(client).submit("demo-contact", query=embedded())

    submissions, lead = stored(contact_form)
    assert submissions == [{"plan": "starter", "campaign": "spring"}, {"plan": "pro"}, {}]
    assert lead == {"plan": "pro", "campaign": "spring"}


def visible_text(html: str) -> str:
    """What the visitor can read or find in the page: its text and every
    attribute but the values of hidden inputs."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup.select("input[type=hidden]"):
        hidden.decompose()
    return soup.get_text(" ") + " ".join(str(tag.attrs) for tag in soup.find_all(True))


SECRET = "plan-zebra-7"


@pytest.fixture
def mailing_gate(make_demo_app):
    """The demo gate, taking a value and e-mailing the download link, with a
    mail server that keeps what it is sent."""
    with smtp_inbox() as smtp:
        app = make_demo_app(
            LEADS_SMTP_HOST="127.0.0.1", LEADS_SMTP_PORT=smtp.port, LEADS_SMTP_TLS="none"
        )
        declare(app, "demo-ebook", PLAN)
        with app.app_context():
            gate = db.session.scalars(db.select(Form).where(Form.slug == "demo-ebook")).one()
            gate.email_download = True
            db.session.commit()
        yield app, smtp


def test_the_visitor_never_sees_the_values_on_a_page_or_in_an_e_mail(mailing_gate):
    app, smtp = mailing_gate
    visitor = Visitor(app.test_client())

    shown = visitor.open("demo-ebook", embedded(field_plan=SECRET)).get_data(as_text=True)
    second = visitor.post({**CONTACT, "consent": "y", "marketing": "y"}).get_data(as_text=True)
    done = visitor.post({"sector": "ict", "headcount": "50-99"}).get_data(as_text=True)
    with app.app_context():
        deliver_due()

    assert stored(app)[0] == [{"plan": SECRET}]
    assert page_inputs(shown)["field_plan"] == SECRET  # carried, not shown
    assert "/d/" in done and len(smtp.messages) == 2  # the download link and the opt-in
    for html in (shown, second, done):
        assert SECRET not in visible_text(html)
    assert SECRET not in second + done
    for message in smtp.messages:
        assert SECRET.encode() not in message.content
