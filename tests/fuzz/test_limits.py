"""The public form's limits hold for any input: field lengths, the honeypot,
the time-trap, and one stored submission per accepted form rendering."""

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ..support.fuzz import (
    ANY_CHAR,
    WHITESPACE,
    answered,
    contact_fields,
    counts,
    examples,
    form_page,
    hostile_text,
    page_of,
    second_step,
)

# Field -> (step, the most characters it takes). Counted in characters (code
# points), after NUL is dropped and surrounding whitespace trimmed.
LIMITS = {"name": ("contact", 200), "company": ("contact", 200), "need": ("qualify", 2000)}
UNITS = ("a", "ΐ", "\U0001f600", "<", "&", "\u202e", "a\x00")


@settings(max_examples=examples(40))
@given(
    field=st.sampled_from(sorted(LIMITS)),
    unit=st.sampled_from(UNITS),
    offset=st.integers(-3, 3),
    before=WHITESPACE,
    after=WHITESPACE,
)
def test_a_field_is_taken_up_to_its_length_and_refused_beyond(
    app, client, field, unit, offset, before, after
):
    step, limit = LIMITS[field]
    length = limit + offset  # in characters, NUL not counted
    value = before + unit * length + after
    kept = unit.replace("\x00", "") * length
    event("over" if offset > 0 else "within")
    if step == "contact":
        page = form_page(client, "demo-contact")
        data = {**page.inputs, **contact_fields(**{field: value})}
    else:
        page = second_step(client, "demo-contact")
        data = {**page.inputs, "sector": "ict", "headcount": "10-49", field: value}
    before_counts = counts(app)

    response = client.post(page.action, data=data)

    if offset > 0:
        assert answered(response) == 422
        assert counts(app) == before_counts
        # The input is kept for the visitor to shorten (trimmed, NUL dropped).
        assert page_of(response).inputs[field] == kept
    else:
        assert answered(response) == 200
        after_counts = counts(app)
        assert after_counts.submissions + after_counts.completed == (
            before_counts.submissions + before_counts.completed + 1
        )


@settings(max_examples=examples(40))
@given(
    slug=st.sampled_from(["demo-contact", "demo-ebook"]),
    step=st.sampled_from(["contact", "qualify"]),
    trap=st.one_of(hostile_text().filter(bool), st.just(" "), st.just("\x00")),
    fields_valid=st.booleans(),
)
def test_a_filled_honeypot_looks_like_success_and_stores_nothing(
    app, client, slug, step, trap, fields_valid
):
    if step == "contact":
        page = form_page(client, slug)
        data = {**page.inputs, **(contact_fields() if fields_valid else {})}
    else:
        page = second_step(client, slug)
        data = {**page.inputs, **({"sector": "ict", "headcount": "1"} if fields_valid else {})}
    before = counts(app)

    response = client.post(page.action, data={**data, "lg_trap": trap})

    assert answered(response) == 200
    assert "lg-done" in response.text  # the thank-you a person would see
    assert counts(app) == before


@pytest.fixture
def trapping_app(make_demo_app):
    """The app with a time-trap of a minute: no person fills the form faster."""
    return make_demo_app(LEADS_MIN_FILL_SECONDS=60)


@settings(max_examples=examples(30))
@given(
    slug=st.sampled_from(["demo-contact", "demo-ebook"]),
    changes=st.dictionaries(
        st.sampled_from(["name", "company", "phone", "email", "marketing", "utm_source"]),
        st.text(ANY_CHAR, max_size=20),
        max_size=3,
    ),
)
def test_a_form_sent_within_the_time_trap_is_held_back_whatever_it_holds(
    trapping_app, slug, changes
):
    client = trapping_app.test_client()
    page = form_page(client, slug)
    before = counts(trapping_app)

    response = client.post(page.action, data={**page.inputs, **contact_fields(), **changes})

    assert answered(response) == 422
    assert counts(trapping_app) == before


class OneSubmissionPerRendering(RuleBasedStateMachine):
    """A visitor opens forms, sends them (valid or not), double-clicks, replays
    an old rendering, reuses one for another person. At any moment the stored
    submissions are exactly the renderings accepted, and every lead has one."""

    def __init__(self):
        super().__init__()
        self.accepted = {}  # token -> e-mail address accepted with it

    pages = Bundle("pages")

    @initialize()
    def start(self):
        self.before = counts(self.app)

    @rule(target=pages, slug=st.sampled_from(["demo-contact", "demo-ebook"]))
    def open_form(self, slug):
        return form_page(self.client, slug)

    @rule(page=pages, person=st.integers(0, 2), valid=st.booleans())
    def send(self, page, person, valid):
        token = page.inputs["token"]
        email = f"person{person}-{id(self)}@example.nl"
        fields = contact_fields(email=email) if valid else {"email": email, "consent": ""}
        response = self.client.post(page.action, data={**page.inputs, **fields})
        status = answered(response)
        first = self.accepted.get(token)
        if not valid:
            assert status == 422
        elif first in (None, email):
            assert status == 200  # new, or the same person again (a double click)
            self.accepted[token] = email
        else:
            assert status == 422  # the rendering was used by someone else

    @invariant()
    def stored_once_per_accepted_rendering(self):
        after = counts(self.app)
        assert after.submissions - self.before.submissions == len(self.accepted)
        assert after.leads - self.before.leads == len(set(self.accepted.values()))


def test_each_accepted_form_rendering_is_stored_once(app, client):
    class Machine(OneSubmissionPerRendering):
        pass

    Machine.app, Machine.client = app, client
    run_state_machine_as_test(
        Machine, settings=settings(max_examples=examples(20), stateful_step_count=20)
    )
