"""Cookie-free protection of the public form: signed tokens, time-trap,
single use, honeypot and rate limits. The visitor's input always survives."""

import os
import secrets
import time

import pytest
import redis

from capture.demo.seed import seed_demo
from capture.extensions import db
from capture.intake.tokens import issue_form_token
from capture.models import Form, Lead, Submission

from ..support.form_tokens import old_token
from ..support.visitor import CONTACT, Visitor, page_inputs


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(db.select(db.func.count(Lead.id))),
            db.session.scalar(db.select(db.func.count(Submission.id))),
        )


def test_an_expired_form_is_shown_again_with_the_input_kept_and_a_fresh_token(app, visitor):
    visitor.open("demo-contact", query="utm_source=fair&utm_medium=qr")
    stale = old_token(app, "demo-contact")
    again = visitor.post({**CONTACT, "phone": "020 123 4567", "consent": "y", "token": stale})

    assert again.status_code == 422
    html = again.get_data(as_text=True)
    assert "open for a while" in html
    kept = page_inputs(html)
    assert kept["email"] == CONTACT["email"] and kept["phone"] == "020 123 4567"
    assert kept["consent"] == "y" and kept["utm_medium"] == "qr"
    assert kept["token"] != stale
    assert counts(app) == (0, 0)
    assert visitor.post({}).status_code == 200  # the fresh token works
    assert counts(app) == (1, 1)


def test_a_tampered_token_is_refused_without_losing_the_input(app, visitor):
    visitor.open("demo-ebook")
    token = page_inputs(visitor.last.get_data(as_text=True))["token"]
    again = visitor.post({**CONTACT, "consent": "y", "token": token[:-3] + "abc"})

    assert again.status_code == 422
    assert page_inputs(again.get_data(as_text=True))["name"] == CONTACT["name"]
    assert counts(app) == (0, 0)


def test_a_token_of_another_form_is_refused(app, visitor):
    visitor.open("demo-ebook")
    ebook_token = page_inputs(visitor.last.get_data(as_text=True))["token"]
    visitor.open("demo-contact")

    again = visitor.post({**CONTACT, "consent": "y", "token": ebook_token})

    assert again.status_code == 422
    assert counts(app) == (0, 0)


def test_a_form_sent_faster_than_a_person_can_type_is_held_back(make_app):
    app = make_app(LEADS_MIN_FILL_SECONDS=60)
    with app.app_context():
        seed_demo()
    visitor = Visitor(app.test_client())
    visitor.open("demo-contact")

    again = visitor.post({**CONTACT, "consent": "y"})

    assert again.status_code == 422
    assert "That was quick" in again.get_data(as_text=True)
    assert page_inputs(again.get_data(as_text=True))["company"] == CONTACT["company"]
    assert counts(app) == (0, 0)


def test_a_replayed_or_double_clicked_post_makes_one_submission(app, client, visitor):
    visitor.open("demo-contact")
    form_page = visitor.last
    first = visitor.post({**CONTACT, "consent": "y"})
    visitor.last = form_page
    replay = visitor.post({**CONTACT, "consent": "y"})

    assert first.status_code == replay.status_code == 200
    assert 'name="sector"' in replay.get_data(as_text=True)
    assert counts(app) == (1, 1)


def test_completing_the_second_step_twice_changes_nothing(app, visitor):
    visitor.open("demo-contact")
    second_step = visitor.post({**CONTACT, "consent": "y"})
    visitor.post({"sector": "ict", "headcount": "50-99"})
    visitor.last = second_step
    visitor.post({"sector": "retail", "headcount": "1"})

    with app.app_context():
        lead = db.session.scalars(db.select(Lead)).one()
        assert (lead.sector, lead.headcount, lead.list) == ("ict", "50-99", "opportunity")


def test_a_bot_filling_the_honeypot_sees_a_success_and_nothing_is_stored(app, visitor):
    visitor.open("demo-contact")
    answer = visitor.post({**CONTACT, "consent": "y", "lg_trap": "http://spam.example"})

    assert answer.status_code == 200
    assert "Thank you" in answer.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(visitor):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(visitor.open("demo-contact").get_data(as_text=True), "html.parser")
    trap = soup.select_one("input[name=lg_trap]")

    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    assert trap.find_parent(class_="lg-trap")["aria-hidden"] == "true"


def test_posts_are_rate_limited_per_address_and_form(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LEADS_POST_LIMIT="3 per minute")
    with app.app_context():
        seed_demo()
    visitor = Visitor(app.test_client())
    statuses = []
    for number in range(4):
        visitor.open("demo-ebook")
        email = f"p{number}@example.nl"
        statuses.append(visitor.post({**CONTACT, "email": email, "consent": "y"}).status_code)
    limited = visitor.last.get_data(as_text=True)
    visitor.open("demo-contact")
    other_form = visitor.post({**CONTACT, "consent": "y"})

    assert statuses == [200, 200, 200, 429]
    assert "Too many attempts" in limited
    assert page_inputs(limited)["email"] == "p3@example.nl"
    assert other_form.status_code == 200
    assert counts(app) == (4, 4)


def test_rate_limits_can_be_shared_through_redis(make_app):
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as error:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip(f"no Redis at {url}: {error}")
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": url,
        "LEADS_POST_LIMIT": "2 per minute",
    }
    first_instance, second_instance = make_app(**settings), make_app(**settings)
    with first_instance.app_context():
        seed_demo()
    # A fresh address per run: counters in Redis outlive the test.
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"

    statuses = []
    for instance in (first_instance, second_instance, first_instance):
        client = instance.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        visitor = Visitor(client)
        visitor.open("demo-ebook")
        statuses.append(visitor.post({**CONTACT, "consent": "y"}).status_code)

    assert statuses == [200, 200, 429]
    assert redis.Redis.from_url(url).keys(f"*{address}*")


def test_the_time_trap_counts_from_when_the_form_was_first_shown(make_app):
    app = make_app(LEADS_MIN_FILL_SECONDS=60)
    with app.app_context():
        seed_demo()
        form_id = db.session.scalar(db.select(Form.id).where(Form.slug == "demo-contact"))
    visitor = Visitor(app.test_client())
    visitor.open("demo-contact")
    with app.test_request_context():
        shown_a_while_ago = issue_form_token(form_id, shown_at=time.time() - 120)

    forgot_consent = visitor.post({**CONTACT, "token": shown_a_while_ago})
    assert forgot_consent.status_code == 422
    assert "That was quick" not in forgot_consent.get_data(as_text=True)

    resent_at_once = visitor.post({"consent": "y"})

    assert resent_at_once.status_code == 200
    assert counts(app) == (1, 1)


def test_a_form_rendering_reused_by_another_person_does_not_swallow_their_details(app, visitor):
    visitor.open("demo-ebook")
    form_page = visitor.last
    visitor.post({**CONTACT, "consent": "y"})
    visitor.last = form_page

    second_person = {"email": "joost@example.nl", "name": "Joost", "company": "Joost BV"}
    refused = visitor.post({**second_person, "consent": "y"})

    assert refused.status_code == 422
    kept = page_inputs(refused.get_data(as_text=True))
    assert {k: kept[k] for k in second_person} == second_person
    assert visitor.post({}).status_code == 200
    assert counts(app) == (2, 2)


def test_behind_a_proxy_each_visitor_has_their_own_rate_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LEADS_POST_LIMIT="1 per minute", LEADS_PROXY_HOPS=1)
    with app.app_context():
        seed_demo()
    statuses = []
    for number, address in enumerate(["198.51.100.1", "198.51.100.2", "198.51.100.1"]):
        visitor = Visitor(app.test_client(), headers={"X-Forwarded-For": address})
        visitor.open("demo-ebook")
        email = f"v{number}@example.nl"
        statuses.append(visitor.post({**CONTACT, "email": email, "consent": "y"}).status_code)

    assert statuses == [200, 200, 429]


def test_a_broken_rate_limit_store_does_not_cost_a_lead(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    with app.app_context():
        seed_demo()
    visitor = Visitor(app.test_client())
    visitor.open("demo-ebook")

    assert visitor.post({**CONTACT, "consent": "y"}).status_code == 200
    assert counts(app) == (1, 1)
