"""The forms' anonymous funnel counters: shown, contact step, qualifying step, download."""

import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from capture.domain.periods import Period
from capture.extensions import db
from capture.insights.queries import Bounds, form_events
from capture.leads.funnel_counts import count_form_event, slot_of, view_tally
from capture.models import Form, FormCount

from ..support.embedding import restrict_embedding
from ..support.faults import table_away
from ..support.visitor import CONTACT, Visitor


def tallies(app, slug: str) -> dict[str, int]:
    with app.app_context():
        form_id = db.session.scalar(db.select(Form.id).where(Form.slug == slug))
        rows = db.session.execute(
            db.select(FormCount.event, db.func.sum(FormCount.count))
            .where(FormCount.form_id == form_id)
            .group_by(FormCount.event)
        ).all()
    return {event: int(count) for event, count in rows}


def test_a_visitor_through_the_whole_gate_counts_once_at_every_step(app, client):
    done = Visitor(client).submit("demo-ebook")
    link = BeautifulSoup(done.get_data(as_text=True), "html.parser").select_one("a[download]")

    assert client.get(link["href"]).status_code == 200
    assert client.get(link["href"]).status_code == 200  # the same visitor downloads again

    assert tallies(app, "demo-ebook") == {"view": 1, "contact": 1, "qualify": 1, "download": 1}


def test_a_double_clicked_contact_step_counts_once(app, client):
    visitor = Visitor(client)
    visitor.open("demo-contact")
    page = visitor.last
    visitor.post({**CONTACT, "consent": "y"})
    visitor.last = page
    again = visitor.post({**CONTACT, "consent": "y"})

    assert again.status_code == 200
    assert tallies(app, "demo-contact") == {"view": 1, "contact": 1}


def test_a_refused_post_and_a_bots_post_count_no_step(app, client):
    visitor = Visitor(client)
    visitor.open("demo-contact")
    refused = visitor.post({**CONTACT, "email": "not an address", "consent": "y"})
    visitor.post({**CONTACT, "consent": "y", "lg_trap": "https://spam.example"})

    assert refused.status_code == 422
    assert tallies(app, "demo-contact") == {"view": 1}


def test_a_head_request_is_not_a_view(app, client):
    assert client.head("/f/demo-contact").status_code == 200
    assert tallies(app, "demo-contact") == {}


def test_the_counters_hold_no_personal_data():
    assert {column.name for column in FormCount.__table__.columns} == {
        "form_id",
        "event",
        "slot",
        "count",
    }


@pytest.mark.parametrize(
    ("moment", "slot"),
    [
        ("2026-10-05T10:00:00", "2026-10-05T10:00:00"),
        ("2026-10-05T10:14:59.999999", "2026-10-05T10:00:00"),
        ("2026-10-05T10:15:00", "2026-10-05T10:15:00"),
        ("2026-10-05T23:59:59", "2026-10-05T23:45:00"),
    ],
)
def test_an_event_counts_in_its_quarter_hour(moment, slot):
    as_utc = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    assert slot_of(as_utc) == datetime.fromisoformat(slot).replace(tzinfo=UTC)


def test_a_periods_funnel_takes_the_slots_of_its_local_days(app):
    # October in Amsterdam runs from 22:00 UTC on 30 September (summer time)
    # to 23:00 UTC on 31 October (winter time).
    moments = {
        "2026-09-30T21:59": "out",
        "2026-09-30T22:00": "in",
        "2026-10-15T12:00": "in",
        "2026-10-31T22:59": "in",
        "2026-10-31T23:00": "out",
    }
    with app.app_context():
        form_id = db.session.scalar(db.select(Form.id).where(Form.slug == "demo-contact"))
        for moment in moments:
            when = datetime.fromisoformat(moment).replace(tzinfo=UTC)
            count_form_event(form_id, "view", when)
        count_form_event(form_id, "view", datetime(2026, 10, 15, 12, 5, tzinfo=UTC))
        db.session.commit()
        october = Period("custom", date(2026, 10, 1), date(2026, 10, 31))
        events = form_events(Bounds.of(october, ZoneInfo("Europe/Amsterdam")))

    assert events == {form_id: {"view": 4}}


def test_a_view_the_database_cannot_count_still_shows_the_form(app, client):
    # The tally's table gone (a real fault, not a stand-in): the visitor
    # still gets the form, and its submission is still stored.
    with table_away(app, "form_counts"):
        shown = client.get("/f/demo-contact")
        shown.close()
        assert shown.status_code == 200
        assert 'name="email"' in shown.get_data(as_text=True)
    assert tallies(app, "demo-contact") == {}


@pytest.mark.parametrize(
    ("headers", "counted"),
    [
        ({}, 1),
        ({"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"}, 0),
        ({"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}, 0),
        ({"Referer": "http://localhost/admin/forms/1/embed"}, 0),
    ],
)
def test_robots_and_the_admins_preview_are_not_views(app, client, headers, counted):
    client.get("/f/demo-contact?embed=1", headers=headers).close()

    assert tallies(app, "demo-contact").get("view", 0) == counted


def test_an_embed_on_a_site_not_allowed_to_show_it_is_not_a_view(app, client):
    restrict_embedding(app, "demo-contact", "http://localhost:8000")
    framing = {"Referer": "https://not-allowed.example/page"}
    client.get("/f/demo-contact?embed=1", headers=framing).close()

    assert tallies(app, "demo-contact") == {}


def test_a_returning_person_counts_a_contact_step_each_time(app, client):
    Visitor(client).submit("demo-contact")
    Visitor(client).submit("demo-contact")

    assert tallies(app, "demo-contact") == {"view": 2, "contact": 2, "qualify": 2}


def test_views_are_gathered_in_memory_and_written_together(make_demo_app):
    app = make_demo_app(LEADS_VIEW_COUNT_SECONDS=3600)
    client = app.test_client()
    for _ in range(3):
        Visitor(client).open("demo-contact")
    Visitor(client).open("demo-ebook")

    assert tallies(app, "demo-contact") == {}  # nothing written yet: the hour has not passed
    view_tally(app).flush()
    assert tallies(app, "demo-contact") == {"view": 3}
    assert tallies(app, "demo-ebook") == {"view": 1}
    view_tally(app).flush()  # nothing waiting: nothing added
    assert tallies(app, "demo-contact") == {"view": 3}


def test_gathered_views_are_written_by_the_timer_without_another_visit(make_demo_app):
    app = make_demo_app(LEADS_VIEW_COUNT_SECONDS=0.05)
    Visitor(app.test_client()).open("demo-contact")

    deadline = time.monotonic() + 10
    while tallies(app, "demo-contact") != {"view": 1} and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tallies(app, "demo-contact") == {"view": 1}


def test_views_that_cannot_be_written_are_logged_and_the_next_ones_still_count(
    make_demo_app, caplog
):
    app = make_demo_app(LEADS_VIEW_COUNT_SECONDS=3600)
    with app.app_context():
        form_id = db.session.scalar(db.select(Form.id).where(Form.slug == "demo-contact"))
    tally = view_tally(app)
    tally.add((form_id + 1000, slot_of(datetime.now(UTC))))  # no such form: refused
    tally.flush()
    tally.add((form_id, slot_of(datetime.now(UTC))))
    tally.flush()

    assert "1 form views not counted" in caplog.text
    assert tallies(app, "demo-contact") == {"view": 1}
