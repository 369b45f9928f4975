"""Values from the host page (hidden fields) for sales: on the lead's page
with the form's labels, and in the CSV export, escaped and guarded."""

import csv
import io
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.models import Form, Lead, utcnow

from ..support.factories import make_lead
from ..support.visitor import CONTACT, Visitor

PLAN = {"name": "plan", "label": "Plan looked at"}
CAMPAIGN = {"name": "campaign", "label": "Internal campaign"}


def declare(app, slug: str, *declared: dict, archived: bool = False) -> None:
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == slug)).one()
        form.hidden_fields = list(declared)
        form.archived_at = utcnow() if archived else None
        db.session.commit()


def submit(app, slug: str, **values) -> None:
    """A visitor sends `slug` embedded with data-field-<name> values."""
    query = urlencode({"embed": "1", **{f"field_{k}": v for k, v in values.items()}})
    Visitor(app.test_client()).submit(slug, query=query)


def lead_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Lead.id).where(Lead.email_key == CONTACT["email"]))


def lead_page(client, app) -> BeautifulSoup:
    answer = client.get(f"/sales/leads/{lead_id(app)}")
    assert answer.status_code == 200
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


def facts(section) -> dict[str, str]:
    """A section's dt -> dd, as read."""
    return {
        dt.get_text(" ", strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in section.select("dl.facts > dt")
    }


@pytest.fixture
def sales(auth):
    return auth.login("sales")


def test_the_lead_page_shows_the_latest_values_and_each_submissions_with_the_forms_labels(
    app, client, sales
):
    declare(app, "demo-contact", PLAN, CAMPAIGN)
    submit(app, "demo-contact", plan="starter", campaign="spring")
    submit(app, "demo-contact", plan="pro")

    page = lead_page(client, app)

    contact = facts(page.select_one(".lead-contact"))
    assert (contact["Plan looked at"], contact["Internal campaign"]) == ("pro", "spring")
    newest, oldest = page.select("#lead-submissions li.submission")
    assert facts(newest)["Plan looked at"] == "pro" and "Internal campaign" not in facts(newest)
    assert facts(oldest)["Plan looked at"] == "starter"
    assert facts(oldest)["Internal campaign"] == "spring"


def test_a_value_no_longer_declared_is_shown_by_its_name(app, client, sales):
    declare(app, "demo-contact", PLAN, CAMPAIGN)
    submit(app, "demo-contact", plan="pro", campaign="spring")
    declare(app, "demo-contact", PLAN)

    page = lead_page(client, app)

    assert facts(page.select_one(".lead-contact"))["campaign"] == "spring"
    assert facts(page.select_one("#lead-submissions li.submission"))["campaign"] == "spring"


def test_values_and_labels_are_shown_as_text_never_as_markup(app, client, sales):
    declare(app, "demo-contact", {"name": "plan", "label": "<i>Plan</i>"})
    submit(app, "demo-contact", plan="<script>alert(1)</script><img src=x onerror=alert(2)>")

    page = lead_page(client, app)

    assert page.select("main img, main i") == []
    assert not [s for s in page.select("script") if "alert" in s.get_text()]
    contact = facts(page.select_one(".lead-contact"))
    assert contact["<i>Plan</i>"] == "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_a_lead_without_values_shows_no_empty_rows(app, client, sales):
    declare(app, "demo-contact", PLAN)
    submit(app, "demo-contact")

    page = lead_page(client, app)

    assert page.select(".host-value") == []


def exported(client) -> tuple[list[str], list[dict]]:
    response = client.get("/sales/export.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text))), list(csv.DictReader(io.StringIO(text)))


def test_the_export_has_a_column_per_declared_name_on_any_form_sorted_after_the_others(
    app, client, sales
):
    declare(app, "demo-contact", PLAN, CAMPAIGN)
    declare(app, "demo-ebook", {"name": "ad_group", "label": "Ad group"}, PLAN, archived=True)
    with app.app_context():
        make_lead(name="Anna", fields={"plan": "pro", "ad_group": "bakers"})
        make_lead(name="Bas")
        db.session.commit()

    header, rows = exported(client)

    fixed = header.index("respond_by") + 1
    assert header[fixed:] == ["field_ad_group", "field_campaign", "field_plan"]
    by_name = {row["name"]: row for row in rows}
    assert {k: by_name["Anna"][k] for k in header[fixed:]} == {
        "field_ad_group": "bakers",
        "field_campaign": "",
        "field_plan": "pro",
    }
    assert {k: by_name["Bas"][k] for k in header[fixed:]} == dict.fromkeys(header[fixed:], "")


def test_the_export_has_no_extra_columns_when_no_form_declares_values(app, client, sales):
    declare(app, "demo-contact")
    declare(app, "demo-ebook")

    header, _ = exported(client)

    assert header[-1] == "respond_by"


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "  =1+1"])
def test_a_value_that_would_be_a_formula_is_exported_as_text(app, client, sales, value):
    declare(app, "demo-contact", PLAN)
    with app.app_context():
        make_lead(name="Anna", fields={"plan": value})
        db.session.commit()

    _, (row,) = exported(client)

    assert row["field_plan"] == "'" + value
