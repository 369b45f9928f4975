"""Declaring a form's values from the host page (hidden fields) on its page,
without JavaScript: name and label rows, a few empty ones to add more."""

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Form

from ..support.admin_forms import field_errors, form_values, post_settings

PLAN = {"name": "plan", "label": "Plan looked at"}


@pytest.fixture
def admin(client, auth):
    auth.login("admin")
    return client


def form_path(app, slug: str = "demo-ebook") -> str:
    with app.app_context():
        return f"/admin/forms/{db.session.scalar(db.select(Form.id).where(Form.slug == slug))}"


def declared(app, slug: str = "demo-ebook") -> list[dict]:
    with app.app_context():
        return db.session.scalar(db.select(Form.hidden_fields).where(Form.slug == slug))


def rows(**typed: tuple[str, str]) -> dict:
    """Post values for rows by number: rows(r0=("plan", "Plan looked at"))."""
    values = {}
    for key, (name, label) in typed.items():
        number = key.removeprefix("r")
        values[f"hidden_fields-{number}-name"] = name
        values[f"hidden_fields-{number}-label"] = label
    return values


def shown_rows(html: str) -> list[tuple[str, str]]:
    values = form_values(html)
    count = len([k for k in values if k.startswith("hidden_fields-") and k.endswith("-name")])
    return [
        (values[f"hidden_fields-{n}-name"], values[f"hidden_fields-{n}-label"])
        for n in range(count)
    ]


def test_a_form_without_values_shows_two_empty_rows_and_both_ways_to_pass_one(app, admin):
    html = admin.get(form_path(app)).get_data(as_text=True)

    assert shown_rows(html) == [("", ""), ("", "")]
    card = BeautifulSoup(html, "html.parser").select_one("#hidden-fields").get_text(" ")
    assert "Values from the host page" in card
    assert 'data-field-plan="pro"' in card and "?plan=pro" in card


def test_declared_values_are_stored_in_order_and_empty_rows_ignored(app, admin):
    typed = rows(r0=("  Plan ", "Plan looked at"), r1=("", ""), r2=("campaign_id", "Campaign id"))
    assert post_settings(admin, form_path(app), **typed).status_code == 302

    assert declared(app) == [PLAN, {"name": "campaign_id", "label": "Campaign id"}]
    html = admin.get(form_path(app)).get_data(as_text=True)
    assert shown_rows(html) == [
        ("plan", "Plan looked at"),
        ("campaign_id", "Campaign id"),
        ("", ""),
        ("", ""),
    ]


def test_the_hint_uses_the_forms_own_first_name(app, admin):
    post_settings(admin, form_path(app), **rows(r0=("product", "Product")))

    card = BeautifulSoup(admin.get(form_path(app)).get_data(as_text=True), "html.parser")
    text = card.select_one("#hidden-fields").get_text(" ")
    assert 'data-field-product="pro"' in text and "?product=pro" in text


def test_a_cleared_row_stops_taking_its_value(app, admin):
    post_settings(admin, form_path(app), **rows(r0=("plan", "Plan"), r1=("campaign", "Campaign")))

    assert post_settings(admin, form_path(app), **rows(r0=("", ""))).status_code == 302

    assert declared(app) == [{"name": "campaign", "label": "Campaign"}]


def test_a_post_without_the_rows_keeps_the_declared_values(app, admin):
    post_settings(admin, form_path(app), **rows(r0=("plan", "Plan looked at")))
    html = admin.get(form_path(app)).get_data(as_text=True)
    values = {k: v for k, v in form_values(html).items() if not k.startswith("hidden_fields-")}

    assert admin.post(form_path(app), data=values).status_code == 302

    assert declared(app) == [PLAN]


def test_at_most_ten_rows_are_shown(app, admin):
    nine = {f"r{n}": (f"value_{n}", f"Value {n}") for n in range(9)}
    post_settings(admin, form_path(app), **rows(**nine))
    assert len(shown_rows(admin.get(form_path(app)).get_data(as_text=True))) == 10

    post_settings(admin, form_path(app), **rows(r9=("value_9", "Value 9")))
    assert len(declared(app)) == 10
    assert len(shown_rows(admin.get(form_path(app)).get_data(as_text=True))) == 10


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (("plan-id", "Plan"), "name", "lowercase letters, digits and underscores"),
        (("2plan", "Plan"), "name", "starting with a letter"),
        (("p" * 33, "Plan"), "name", "1 to 32"),
        (("utm_source", "Source"), "name", "The form uses this name already"),
        (("email", "E-mail"), "name", "The form uses this name already"),
        (("page_url", "Page"), "name", "The form uses this name already"),
        (("", "Plan looked at"), "name", "Give this value a name"),
        (("plan", ""), "label", "Give it a label"),
        (("plan", "x" * 81), "label", "under 80 characters"),
    ],
)
def test_a_bad_row_is_refused_with_the_message_at_its_field_and_the_input_kept(
    app, admin, typed, field, message
):
    answer = post_settings(admin, form_path(app), **rows(r0=("campaign", "Campaign"), r1=typed))

    assert answer.status_code == 422
    assert message in field_errors(answer)[f"hidden_fields-1-{field}"]
    html = answer.get_data(as_text=True)
    assert "Nothing was saved" in html
    assert shown_rows(html)[:2] == [("campaign", "Campaign"), typed]
    assert declared(app) == []


def test_a_name_declared_twice_is_refused_at_the_second_row(app, admin):
    answer = post_settings(
        admin, form_path(app), **rows(r0=("plan", "Plan"), r1=("", ""), r2=("plan", "Plan again"))
    )

    assert answer.status_code == 422
    errors = field_errors(answer)
    assert "declared above already" in errors["hidden_fields-2-name"]
    assert "hidden_fields-0-name" not in errors


def test_an_eleventh_value_posted_by_hand_is_refused(app, admin):
    eleven = {f"r{n}": (f"value_{n}", f"Value {n}") for n in range(11)}

    answer = post_settings(admin, form_path(app), **rows(**eleven))

    assert answer.status_code == 422
    assert "at most 10 values" in field_errors(answer)["hidden_fields-10-name"]
    assert declared(app) == []


def test_a_new_form_can_declare_values(app, admin):
    answer = post_settings(
        admin,
        **{
            "slug": "pricing-demo",
            "kind": "contact",
            "texts_en-title": "Ask for a demo",
            **rows(r0=("plan", "Plan looked at")),
        },
    )

    assert answer.status_code == 302
    assert declared(app, "pricing-demo") == [PLAN]


def test_a_label_is_escaped_on_the_page(app, admin):
    post_settings(admin, form_path(app), **rows(r0=("plan", "<script>alert(1)</script>")))

    html = admin.get(form_path(app)).get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert shown_rows(html)[0] == ("plan", "<script>alert(1)</script>")


def test_the_embed_page_shows_how_to_pass_each_value_of_the_form(app, admin):
    post_settings(admin, form_path(app), **rows(r0=("plan", "<b>Plan</b>"), r1=("ad", "Ad")))

    page = BeautifulSoup(admin.get(form_path(app) + "/embed").get_data(as_text=True), "html.parser")

    ways = [li.get_text(" ", strip=True) for li in page.select("#embed-hidden-fields li")]
    assert ways[0].startswith('<b>Plan</b>: data-field-plan="…" on the snippet’s script tag')
    assert "?ad=…" in ways[1]
    assert page.select("#embed-hidden-fields b") == []


def test_the_embed_page_of_a_form_without_values_says_nothing_of_them(app, admin):
    page = admin.get(form_path(app) + "/embed").get_data(as_text=True)

    assert 'id="embed-hidden-fields"' not in page
