"""The hosted form `/f/<slug>`: both steps, without JavaScript and with htmx."""

from bs4 import BeautifulSoup

from capture import create_app
from capture.extensions import db
from capture.models import Form, Lead, ListChange, Submission

from ..support.config import base_config
from ..support.csp import directive
from ..support.embedding import restrict_embedding
from ..support.visitor import CONTACT, errors_in, page_inputs


def leads(app):
    with app.app_context():
        return db.session.scalars(db.select(Lead)).all()


def test_a_demo_request_becomes_an_opportunity_with_its_channel_reason_and_score(app, visitor):
    done = visitor.submit(
        "demo-contact",
        query="utm_source=linkedin&utm_medium=social&utm_campaign=spring",
        qualify={"sector": "manufacturing", "headcount": "100-249"},
    )

    assert done.status_code == 200
    assert "Thank you" in done.get_data(as_text=True)
    (lead,) = leads(app)
    assert (lead.email_key, lead.list, lead.channel) == (CONTACT["email"], "opportunity", "social")
    assert lead.utm_campaign == "spring"
    assert "high intent" in lead.reason
    assert (lead.fit_score, lead.engagement_score, lead.score) == (80, 60, 140)
    assert lead.sector == "manufacturing" and lead.headcount == "100-249"
    assert lead.first_interest_at == lead.last_interest_at


def test_an_ebook_download_by_a_fitting_firm_is_nurtured(app, visitor):
    visitor.submit("demo-ebook", qualify={"headcount": "10-49"}, Referer="https://www.google.nl/")

    (lead,) = leads(app)
    assert (lead.list, lead.channel, lead.score) == ("nurture", "search", 60)
    assert "below 150" in lead.reason


def test_a_firm_below_the_minimum_headcount_is_disqualified_with_the_reason(app, visitor):
    visitor.submit("demo-contact", qualify={"headcount": "2-9"})

    (lead,) = leads(app)
    assert lead.list == "disqualified"
    assert lead.reason == "Too small: 2-9 employees, the minimum is 10-49"


def test_the_contact_step_alone_is_stored_so_a_visitor_who_stops_is_not_lost(app, visitor):
    visitor.open("demo-ebook")
    second_step = visitor.post({**CONTACT, "consent": "y"})

    assert second_step.status_code == 200
    assert 'name="headcount"' in second_step.get_data(as_text=True)
    (lead,) = leads(app)
    assert (lead.list, lead.reason) == ("nurture", "Qualifying questions not answered yet")
    with app.app_context():
        (submission,) = db.session.scalars(db.select(Submission)).all()
        assert submission.completed_at is None


def test_every_routing_is_logged_as_made_by_the_rules(app, visitor):
    visitor.submit("demo-ebook", qualify={"headcount": "2-9"})

    with app.app_context():
        changes = db.session.scalars(db.select(ListChange).order_by(ListChange.id)).all()
        moves = [(c.from_list, c.to_list, c.actor) for c in changes]
    assert moves == [(None, "nurture", "rules"), ("nurture", "disqualified", "rules")]


def test_the_form_works_as_plain_html_without_javascript(visitor):
    page = visitor.open("demo-contact")
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    form = soup.select_one("form")

    assert form["method"] == "post" and form["action"] == "/f/demo-contact"
    assert soup.select_one("html") is not None
    names = set(page_inputs(page.get_data(as_text=True)))
    assert {"email", "name", "company", "token", "step"} <= names
    assert soup.select_one("input[name=consent][type=checkbox]") is not None


def test_an_htmx_request_gets_only_the_form_region(visitor):
    visitor.open("demo-contact")
    swapped = visitor.post({**CONTACT, "consent": "y"}, **{"HX-Request": "true"})

    html = swapped.get_data(as_text=True)
    assert swapped.status_code == 200
    assert "<html" not in html and "<head" not in html
    assert html.lstrip().startswith('<section id="lg-form"')
    assert 'name="sector"' in html
    assert "HX-Request" in swapped.headers["Vary"]


def test_the_htmx_form_region_replaces_itself(visitor):
    soup = BeautifulSoup(visitor.open("demo-contact").get_data(as_text=True), "html.parser")
    region = soup.select_one("#lg-form")

    assert region["hx-target"] == "this" and region["hx-swap"] == "outerHTML"
    assert region.select_one("form")["hx-post"] == "/f/demo-contact"


def test_invalid_input_is_shown_again_with_a_message_per_field_and_everything_kept(app, visitor):
    visitor.open("demo-contact", query="utm_source=newsletter&utm_medium=email")
    typed = {"email": "anna@", "name": "Anna Jansen", "company": "", "phone": "0612345678"}
    again = visitor.post(typed)

    assert again.status_code == 422
    html = again.get_data(as_text=True)
    errors = errors_in(html)
    assert set(errors) == {"email", "company", "consent"}
    assert "valid e-mail" in errors["email"]
    kept = page_inputs(html)
    assert {k: kept[k] for k in typed} == typed
    assert kept["utm_medium"] == "email"
    assert leads(app) == []


def test_invalid_input_over_htmx_swaps_in_the_errors(visitor):
    visitor.open("demo-contact")
    again = visitor.post({"email": "not-an-address", "consent": "y"}, **{"HX-Request": "true"})

    assert again.status_code == 422
    assert "<html" not in again.get_data(as_text=True)
    assert "email" in errors_in(again.get_data(as_text=True))


def test_invalid_qualifying_answers_keep_the_visitor_on_the_second_step(app, visitor):
    visitor.open("demo-contact")
    visitor.post({**CONTACT, "consent": "y"})
    again = visitor.post({"sector": "", "headcount": "5000+", "need": "A faster follow-up"})

    assert again.status_code == 422
    errors = errors_in(again.get_data(as_text=True))
    assert set(errors) == {"sector", "headcount"}
    assert page_inputs(again.get_data(as_text=True))["need"] == "A faster follow-up"
    done = visitor.post({"sector": "retail", "headcount": "50-99"})
    assert done.status_code == 200
    (lead,) = leads(app)
    assert lead.sector == "retail" and lead.need == "A faster follow-up"


def test_consent_is_required(app, visitor):
    visitor.open("demo-ebook")
    again = visitor.post({**CONTACT})

    assert again.status_code == 422
    assert "consent" in errors_in(again.get_data(as_text=True))
    assert leads(app) == []


def test_every_text_field_has_a_length_limit(app, visitor):
    visitor.open("demo-contact")
    again = visitor.post({**CONTACT, "name": "x" * 201, "company": "y" * 201, "consent": "y"})

    assert again.status_code == 422
    assert {"name", "company"} <= set(errors_in(again.get_data(as_text=True)))
    assert leads(app) == []


def test_a_form_that_does_not_exist_answers_a_friendly_404(client):
    missing = client.get("/f/no-such-form")

    assert missing.status_code == 404
    assert "does not exist" in missing.get_data(as_text=True)


def test_public_pages_set_no_cookies(client, visitor):
    responses = [visitor.open("demo-contact"), visitor.post({**CONTACT, "consent": "y"})]
    responses.append(visitor.post({"sector": "ict", "headcount": "10-49"}))
    responses.append(client.get("/f/missing"))

    for response in responses:
        assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session") is None


def test_the_form_page_may_only_be_framed_by_its_allowed_origins(app, visitor):
    restrict_embedding(app, "demo-ebook", "http://localhost:8000", "http://127.0.0.1:8000")
    page = visitor.open("demo-ebook")

    policy = page.headers["Content-Security-Policy"]
    ancestors = directive(policy, "frame-ancestors")
    assert ancestors == "'self' http://localhost:8000 http://127.0.0.1:8000"
    assert "X-Frame-Options" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_a_form_open_to_any_site_says_nothing_about_framing(visitor):
    page = visitor.open("demo-ebook", "embed=1", Referer="https://any-shop.example/")

    assert directive(page.headers["Content-Security-Policy"], "frame-ancestors") is None
    assert "X-Frame-Options" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_when_the_database_is_down_the_visitor_gets_a_503_to_try_again(tmp_path):
    unreachable = "postgresql+psycopg://leadgate@127.0.0.1:1/unreachable"
    app = create_app(base_config(unreachable, tmp_path))

    answer = app.test_client().get("/f/demo-contact")

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert "try again in a moment" in answer.get_data(as_text=True)


def test_the_form_region_carries_the_message_for_a_failed_send(visitor):
    soup = BeautifulSoup(visitor.open("demo-contact").get_data(as_text=True), "html.parser")

    assert "Everything you typed is still here" in soup.select_one("#lg-form")["data-problem"]


def test_the_sector_question_offers_the_sectors_the_admin_set_up(app, visitor):
    from dataclasses import replace

    from capture.domain.rules import DEFAULT_RULES
    from capture.leads.qualification import save_rules

    with app.app_context():
        save_rules(replace(DEFAULT_RULES, sectors=("craft-bakeries", "retail")), None)
        db.session.commit()
    visitor.open("demo-ebook")
    second = visitor.post({**CONTACT, "consent": "y"})
    options = [
        (o["value"], o.get_text())
        for o in BeautifulSoup(second.get_data(as_text=True), "html.parser").select(
            "select[name=sector] option"
        )
    ]

    assert options[1:] == [("craft-bakeries", "Craft bakeries"), ("retail", "Retail")]
    assert visitor.post({"sector": "ict", "headcount": "50-99"}).status_code == 422
    assert visitor.post({"sector": "craft-bakeries", "headcount": "50-99"}).status_code == 200
    assert leads(app)[0].sector == "craft-bakeries"


def test_optional_questions_are_not_required_in_the_browser(app, visitor):
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == "demo-contact")).one()
        form.questions = ["phone", "role", "budget", "timeline", "need"]
        db.session.commit()
    page = visitor.open("demo-contact").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.select_one("[name=phone]").has_attr("required")
    assert soup.select_one("[name=email]").has_attr("required")

    visitor.post({**CONTACT, "consent": "y"})
    soup = BeautifulSoup(visitor.last.get_data(as_text=True), "html.parser")
    for name in ("role", "budget", "timeline", "need"):
        assert not soup.select_one(f"[name={name}]").has_attr("required"), name
    assert soup.select_one("[name=sector]").has_attr("required")
