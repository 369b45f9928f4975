"""The public form's settings and the rules, kept per worker for a few seconds.

A change made in the same process shows at once; one made elsewhere (another
worker, another instance, plain SQL) shows once what was kept is older than
FRESH_FOR seconds. The clock is the store's own, moved on by the test.
"""

from dataclasses import replace

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import text

from capture.db.cache import FRESH_FOR, process_cache
from capture.extensions import db
from capture.leads.qualification import current_rules, save_rules
from capture.models import Form, Lead, Setting

from ..support.visitor import CONTACT, Visitor


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(app):
    clock = Clock()
    process_cache(app).clock = clock
    return clock


def title_shown(client, slug="demo-contact") -> str:
    response = client.get(f"/f/{slug}")
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").h1.get_text(strip=True)


def change_elsewhere(app, statement: str) -> None:
    """Write as another worker would: own connection, no ORM session of ours."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(statement))


def test_a_form_changed_by_another_worker_shows_once_what_was_kept_is_stale(app, client, clock):
    before = title_shown(client)
    change_elsewhere(
        app,
        """UPDATE forms SET texts = '{"en": {"title": "Plan een demo"}}'"""
        " WHERE slug = 'demo-contact'",
    )

    clock.now += FRESH_FOR - 0.5
    assert title_shown(client) == before
    clock.now += 1
    assert title_shown(client) == "Plan een demo"


def test_a_form_archived_elsewhere_stops_taking_posts_once_stale(app, client, clock):
    visitor = Visitor(client)
    visitor.open("demo-contact")
    change_elsewhere(app, "UPDATE forms SET archived_at = CURRENT_TIMESTAMP")
    clock.now += FRESH_FOR + 1

    assert client.get("/f/demo-contact").status_code == 404
    assert visitor.post({**CONTACT, "consent": "y"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Lead.id))) == 0


def test_a_form_changed_in_this_process_shows_at_once(app, client, clock):
    title_shown(client)
    with app.app_context():
        form = db.session.scalar(db.select(Form).where(Form.slug == "demo-contact"))
        form.texts = {"en": {"title": "Vraag een offerte aan"}}
        db.session.commit()

    assert title_shown(client) == "Vraag een offerte aan"  # the clock did not move


def test_a_form_that_did_not_exist_is_not_remembered_as_missing(app, client, clock):
    assert client.get("/f/late-form").status_code == 404
    change_elsewhere(
        app,
        "INSERT INTO forms (slug, kind, title, questions, intent,"
        " allowed_origins, email_download, offers_marketing, created_at)"
        " VALUES ('late-form', 'contact', 'Late form', '[]', 'high', '[]',"
        " false, true, CURRENT_TIMESTAMP)",
    )

    assert title_shown(client, "late-form") == "Late form"


def test_a_kept_form_cannot_be_changed_by_the_request_that_reads_it(app):
    from capture.intake.published import published_form

    with app.test_request_context("/f/demo-contact"):
        form = published_form("demo-contact")
        with pytest.raises(AttributeError):
            form.title = "changed"
        assert form.questions == tuple(form.questions)


def test_rules_saved_in_this_process_route_the_next_submission(app, client, clock):
    Visitor(client).submit("demo-contact", sector="ict", headcount="50-99")
    with app.test_request_context():
        rules = current_rules()
        save_rules(replace(rules, excluded_sectors=frozenset({"ict"})), None)
        db.session.commit()

    Visitor(client).submit(
        "demo-contact", {**CONTACT, "email": "piet@bakkerij.nl"}, sector="ict", headcount="50-99"
    )

    with app.app_context():
        lists = dict(db.session.execute(db.select(Lead.email, Lead.list)).all())
    assert lists["anna@bakkerij-jansen.nl"] != "disqualified"
    assert lists["piet@bakkerij.nl"] == "disqualified"


def test_sales_pages_read_the_rules_fresh_while_the_form_keeps_them(app, client, clock):
    with app.test_request_context():
        from capture.leads.qualification import intake_rules

        kept = intake_rules()
    change_elsewhere(
        app,
        "INSERT INTO settings (key, value, updated_at) VALUES ('qualification_rules',"
        ' \'{"excluded_sectors": ["retail"]}\', CURRENT_TIMESTAMP)',
    )
    with app.test_request_context():
        assert intake_rules() is kept
        assert current_rules().excluded_sectors == {"retail"}
    clock.now += FRESH_FOR + 1
    with app.test_request_context():
        assert intake_rules().excluded_sectors == {"retail"}


def test_a_value_read_while_another_thread_emptied_the_store_is_not_kept(app):
    store = process_cache(app)
    reads = []

    def read_during_a_change():
        reads.append(1)
        store.forget()  # another thread's commit, between the read and the keeping
        return "old"

    assert store.get("rules", "in force", read_during_a_change) == "old"
    assert store.get("rules", "in force", lambda: "new") == "new"
    assert store.get("rules", "in force", lambda: "newer") == "new"  # kept once read undisturbed


def test_only_saving_the_rules_or_a_form_empties_what_a_worker_keeps(app):
    # A long re-routing saves its progress as a setting every batch: the
    # pages kept for visitors must survive it.
    with app.app_context():
        cache = process_cache(app)
        cache.get("blank pages", "a key", lambda: "a page", ttl=None)
        db.session.add(Setting(key="rerouting", value={"after": 1000}))
        db.session.commit()
        assert cache.size("blank pages") == 1
        save_rules(replace(current_rules(), excluded_sectors=frozenset({"retail"})), None)
        db.session.commit()
        assert cache.size("blank pages") == 0
