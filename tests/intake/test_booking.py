"""Book a call with your owner: a visitor whose own answers make an
opportunity is offered their owner's calendar (else the form's) on the
thank-you, through a signed redirect of ours that fills in their name and
e-mail where the tool documents it, and records the opening on the lead."""

import re
import time
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from capture.extensions import db
from capture.intake.booking import BOOKING_MAX_AGE, BOOKING_SALT
from capture.models import Form, Lead, User, utcnow
from capture.web.filters import local

from ..support.auth import log_in
from ..support.people import add_person
from ..support.visitor import CONTACT, Visitor

FORM_LINK = "https://cal.example.com/leadgate/intro"  # the demo contact form's
CALENDLY = "https://calendly.com/sanne-de-vries/intro?month=2026-05"
TYPED = {"name": CONTACT["name"], "email": CONTACT["email"]}


def sanne(app, booking_url: str | None = CALENDLY, name: str | None = "Sanne de Vries") -> int:
    """The one sales person: every opportunity is hers."""
    return add_person(app, "sanne@leadgate.test", name=name, booking_url=booking_url)


def thank_you(app, qualify=None, query: str = "", **contact) -> BeautifulSoup:
    done = Visitor(app.test_client()).submit(
        "demo-contact", contact=contact or None, qualify=qualify, query=query
    )
    assert done.status_code == 200
    return BeautifulSoup(done.get_data(as_text=True), "html.parser")


def booking_button(page: BeautifulSoup):
    return page.select_one(".lg-done a[href*='/book/']")


def the_lead(app, email: str = CONTACT["email"]) -> Lead:
    with app.app_context():
        lead = db.session.scalars(db.select(Lead).where(Lead.email_key == email)).one()
        db.session.expunge(lead)
        return lead


def open_link(client, href: str, method: str = "GET", **headers):
    path = urlsplit(href).path
    return client.open(path, method=method, headers=headers)


def set_form_link(app, url: str | None) -> None:
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == "demo-contact")).one()
        form.booking_url = url
        db.session.commit()


def query_of(location: str) -> dict:
    return dict(parse_qsl(urlsplit(location).query))


# The offer on the thank-you


def test_the_owners_calendar_is_offered_with_their_name(app):
    sanne(app)

    button = booking_button(thank_you(app))

    assert button.get_text(strip=True) == "Book a call with Sanne de Vries"
    assert button["href"].startswith("http://localhost/book/")
    assert (button["target"], button["rel"]) == ("_blank", ["noopener"])
    answer = open_link(app.test_client(), button["href"])
    assert answer.location.startswith("https://calendly.com/sanne-de-vries/intro?")


def test_an_owner_without_a_booking_link_falls_back_to_the_forms(app):
    sanne(app, booking_url=None)

    button = booking_button(thank_you(app))

    assert button.get_text(strip=True) == "Book a call now"
    assert open_link(app.test_client(), button["href"]).location == FORM_LINK


def test_without_an_owner_the_forms_link_is_offered(app):
    button = booking_button(thank_you(app))  # nobody takes leads

    assert the_lead(app).owner_id is None
    assert button.get_text(strip=True) == "Book a call now"
    assert open_link(app.test_client(), button["href"]).location == FORM_LINK


def test_an_owner_without_a_name_offers_their_calendar_without_one(app):
    sanne(app, name=None)

    button = booking_button(thank_you(app))

    assert button.get_text(strip=True) == "Book a call now"
    assert urlsplit(open_link(app.test_client(), button["href"]).location).netloc == "calendly.com"


def test_no_call_is_offered_when_the_visitors_answers_do_not_make_an_opportunity(app):
    sanne(app)

    page = thank_you(app, qualify={"headcount": "1"})

    assert the_lead(app).list != "opportunity"
    assert booking_button(page) is None
    assert "Book a call" not in page.get_text()


def test_no_call_is_offered_when_nobody_has_a_booking_link(app):
    sanne(app, booking_url=None)
    set_form_link(app, None)

    assert booking_button(thank_you(app)) is None


def test_the_widget_offers_the_call_in_a_new_tab(app):
    sanne(app)

    button = booking_button(thank_you(app, query="embed=1"))

    assert button.get_text(strip=True) == "Book a call with Sanne de Vries"
    assert (button["target"], button["rel"]) == ("_blank", ["noopener"])


def test_the_owners_name_is_escaped(app):
    sanne(app, name='Sanne <img src=x onerror="alert(1)">')

    done = Visitor(app.test_client()).submit("demo-contact").get_data(as_text=True)

    assert "<img" not in done
    assert "Book a call with Sanne &lt;img" in done


def test_each_visitor_gets_a_link_of_their_own_and_the_page_differs_in_nothing_else(app):
    sanne(app)
    known = Visitor(app.test_client()).submit("demo-contact")  # a new lead
    again = Visitor(app.test_client()).submit("demo-contact")  # the same address: known now
    stranger = Visitor(app.test_client()).submit("demo-contact", contact={"email": "b@x.nl"})

    pages = [answer.get_data(as_text=True) for answer in (known, again, stranger)]
    links = [re.search(r"/book/([^\"]+)", page).group(1) for page in pages]
    assert len(set(links)) == 3
    assert len({page.replace(link, "") for page, link in zip(pages, links, strict=True)}) == 1


# The signed redirect


@pytest.mark.parametrize(
    ("calendar", "prefilled"),
    [
        (CALENDLY, {"month": "2026-05", **TYPED}),
        ("https://www.calendly.com/sanne/30min", TYPED),
        ("https://cal.com/sanne/30min", TYPED),
        ("https://app.cal.com/sanne/30min?duration=15", {"duration": "15", **TYPED}),
        ("https://cal.com/sanne/intro?name=Someone+else", TYPED),  # ours replaces it
        (
            "https://outlook.office365.com/owa/calendar/Bakkerij@bakkerij.onmicrosoft.com/bookings/",
            None,
        ),
        ("https://calendar.app.google/d8Fs4kQ2", None),
        ("https://calendar.google.com/calendar/appointments/schedules/AcZssZ1?gv=true", None),
        ("https://calendly.com.example.net/sanne", None),  # not Calendly
    ],
)
def test_the_redirect_fills_in_name_and_email_only_where_the_tool_documents_them(
    app, calendar, prefilled
):
    sanne(app, booking_url=calendar)

    answer = open_link(app.test_client(), booking_button(thank_you(app))["href"])

    assert answer.status_code == 303
    if prefilled is None:
        assert answer.location == calendar
    else:
        sent, meant = urlsplit(answer.location), urlsplit(calendar)
        assert (sent.scheme, sent.netloc, sent.path) == (meant.scheme, meant.netloc, meant.path)
        assert query_of(answer.location) == prefilled


def test_the_name_and_email_are_those_the_visitor_typed_this_time(app):
    sanne(app)
    thank_you(app, name="Anna Jansen")  # the lead's stored name

    button = booking_button(thank_you(app, name="Someone Else"))

    answer = open_link(app.test_client(), button["href"])
    assert query_of(answer.location)["name"] == "Someone Else"
    assert the_lead(app).name == "Anna Jansen"


def test_opening_the_link_is_recorded_and_shows_on_the_lead_page(app):
    sanne(app)
    href = booking_button(thank_you(app))["href"]
    assert the_lead(app).booking_opened_at is None

    open_link(app.test_client(), href)

    lead = the_lead(app)
    assert lead.booking_opened_at is not None
    sales = app.test_client()
    log_in(sales, "sanne@leadgate.test")
    page = BeautifulSoup(sales.get(f"/sales/leads/{lead.id}").get_data(as_text=True), "html.parser")
    with app.test_request_context():
        shown = local(lead.booking_opened_at)
    assert page.select_one("dd.booking-opened").get_text(strip=True) == f"opened {shown}"


def test_each_opening_updates_the_moment(app):
    sanne(app)
    href = booking_button(thank_you(app))["href"]
    long_ago = utcnow() - timedelta(days=3)
    with app.app_context():
        db.session.get(Lead, the_lead(app).id).booking_opened_at = long_ago
        db.session.commit()

    open_link(app.test_client(), href)

    assert the_lead(app).booking_opened_at > long_ago


def test_a_lead_page_without_an_opening_says_nothing_of_it(app):
    sanne(app)
    thank_you(app)
    sales = app.test_client()
    log_in(sales, "sanne@leadgate.test")

    page = sales.get(f"/sales/leads/{the_lead(app).id}").get_data(as_text=True)

    assert "booking-opened" not in page


@pytest.mark.parametrize(
    ("method", "agent"),
    [
        ("HEAD", "Mozilla/5.0"),
        ("GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"),
        ("GET", "facebookexternalhit/1.1"),
        ("GET", "Mozilla/5.0 (compatible; Googlebot/2.1)"),
    ],
)
def test_a_head_request_or_a_link_preview_records_nothing(app, method, agent):
    sanne(app)
    href = booking_button(thank_you(app))["href"]

    answer = open_link(app.test_client(), href, method=method, **{"User-Agent": agent})

    assert answer.status_code == 303
    assert the_lead(app).booking_opened_at is None


def _forged(token: str) -> str:
    return token[:-2] + ("AA" if not token.endswith("AA") else "BB")


def _signed_long_ago(app, payload: dict) -> str:
    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - BOOKING_MAX_AGE - 3600

    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=BOOKING_SALT, signer=LongAgo)
    return signer.dumps(payload)


def test_a_forged_or_expired_link_is_refused_kindly_and_nothing_is_recorded(app):
    sanne(app)
    href = booking_button(thank_you(app))["href"]
    token = urlsplit(href).path.rsplit("/", 1)[1]
    submission_id = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=BOOKING_SALT).loads(
        token
    )["s"]
    client = app.test_client()

    for bad in (_forged(token), "not-a-token", _signed_long_ago(app, {"s": submission_id})):
        answer = client.get(f"/book/{bad}")
        assert answer.status_code == 404, bad
        assert "This booking link does not work" in answer.get_data(as_text=True)
        assert "Set-Cookie" not in answer.headers
    assert the_lead(app).booking_opened_at is None


def test_a_link_signed_for_something_else_is_refused(app):
    from capture.intake.downloads import DOWNLOAD_SALT

    sanne(app)
    thank_you(app)
    other = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=DOWNLOAD_SALT).dumps({"s": 1})

    assert app.test_client().get(f"/book/{other}").status_code == 404
    assert the_lead(app).booking_opened_at is None


def test_the_redirect_sets_no_cookie_and_gives_the_booking_site_no_referrer(app):
    sanne(app)
    href = booking_button(thank_you(app))["href"]

    answer = open_link(app.test_client(), href)

    assert "Set-Cookie" not in answer.headers
    # Either policy sends no Referer to another origin (the booking site).
    assert answer.headers["Referrer-Policy"] in ("no-referrer", "same-origin")
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_link_leads_to_whoever_owns_the_lead_when_it_is_opened(app):
    sanne(app)
    href = booking_button(thank_you(app))["href"]
    bas = add_person(app, "bas@leadgate.test", name="Bas", booking_url="https://cal.com/bas")
    with app.app_context():
        db.session.get(Lead, the_lead(app).id).owner_id = bas
        db.session.commit()

    answer = open_link(app.test_client(), href)

    assert answer.location.startswith("https://cal.com/bas?")


def test_a_deactivated_owners_calendar_is_not_offered(app):
    owner = sanne(app)
    href = booking_button(thank_you(app))["href"]
    with app.app_context():
        db.session.get(User, owner).active = False
        db.session.commit()

    assert open_link(app.test_client(), href).location == FORM_LINK


@pytest.mark.parametrize("stored", ["javascript:alert(1)", "cal.com/sanne", "https://[not-an-ip"])
def test_an_owners_link_that_is_no_web_address_is_never_followed(app, stored):
    sanne(app, booking_url=stored)

    button = booking_button(thank_you(app))

    assert button.get_text(strip=True) == "Book a call now"
    assert open_link(app.test_client(), button["href"]).location == FORM_LINK
