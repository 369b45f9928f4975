"""A NUL in a posted internal (logged-in) form is a bad request (400), on
every database: PostgreSQL cannot store it, and no person types it (the
input guard, capture/web/input_guard.py). Only the visitor's forms drop it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capture.extensions import db
from capture.models import Form, Lead

from ..support.auth import Auth
from ..support.fuzz import ANY_CHAR, answered, examples, second_step
from ..support.visitor import page_inputs

# Page with the form -> (where it posts, fields typed into it).
SALES_FORMS = {
    "/sales/leads/{lead}": [
        ("/sales/leads/{lead}/notes", ("body",)),
        ("/sales/leads/{lead}/move", ("reason", "other_reason", "to_list")),
    ],
    "/sales/leads/new": [("/sales/leads/new", ("name", "company", "email", "phone", "need"))],
    "/account": [("/account", ("language", "name"))],
}
ADMIN_FORMS = {
    "/admin/forms/new": [
        ("/admin/forms/new", ("texts_en-title", "texts_en-intro", "slug", "texts_en-success_text"))
    ],
    "/admin/forms/{form}": [
        ("/admin/forms/{form}", ("texts_en-title", "texts_nl-intro", "texts_en-consent_text"))
    ],
    "/admin/users": [
        ("/admin/users", ("email", "password", "name")),
        ("/admin/users/{user}/name", ("name",)),
    ],
    "/admin/costs": [("/admin/costs", ("paid", "month"))],
    "/admin/rules": [("/admin/rules", ("sectors", "disqualification_reasons"))],
}

with_nul = st.builds(
    lambda before, after: before + "\x00" + after,
    st.text(ANY_CHAR, max_size=15),
    st.text(ANY_CHAR, max_size=15),
)


@pytest.fixture
def admin(app, client, users):
    """An admin's client, and the ids of a lead and a form to open."""
    second_step(app.test_client(), "demo-contact")
    Auth(client, users).login("admin")
    with app.app_context():
        ids = {
            "lead": db.session.scalar(db.select(Lead.id)),
            "form": db.session.scalar(db.select(Form.id)),
            "user": users["sales"][0],
        }
    return client, ids, {}


def post_with_nul(admin, forms: dict, data) -> int:
    client, ids, pages = admin
    page = data.draw(st.sampled_from(sorted(forms)), label="page")
    action, fields = data.draw(st.sampled_from(forms[page]), label="form")
    field = data.draw(st.sampled_from(fields), label="field")
    value = data.draw(with_nul, label="value")
    if page not in pages:  # the form as shown, CSRF token included (valid all session)
        pages[page] = page_inputs(client.get(page.format(**ids)).text)
    response = client.post(action.format(**ids), data={**pages[page], field: value})
    return answered(response)


@settings(max_examples=examples(25))
@given(data=st.data())
def test_a_nul_in_a_sales_form_is_a_bad_request(admin, data):
    assert post_with_nul(admin, SALES_FORMS, data) == 400


@settings(max_examples=examples(25))
@given(data=st.data())
def test_a_nul_in_an_admin_form_is_a_bad_request(admin, data):
    assert post_with_nul(admin, ADMIN_FORMS, data) == 400


def test_a_nul_in_a_new_forms_title_is_a_bad_request(admin):
    """The smallest case of the one above."""
    client, _, _ = admin
    values = page_inputs(client.get("/admin/forms/new").text)
    values.update({"slug": "nul-title", "kind": "contact", "texts_en-title": "\x00"})

    assert answered(client.post("/admin/forms/new", data=values)) == 400
