"""The marketing costs page: the admin enters what each channel cost per month
(and optionally a first appointment's sales cost), for the insights page."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from capture.domain.vocabulary import CHANNELS
from capture.extensions import db
from capture.leads.channel_costs import (
    cost_per_appointment,
    monthly_costs,
    save_cost_per_appointment,
    save_month_costs,
)
from capture.models import ChannelCost

from ..support.visitor import page_inputs

PATH = "/admin/costs"
OCTOBER = date(2026, 10, 1)


def soup_of(answer) -> BeautifulSoup:
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


def field_errors(answer) -> dict:
    return {
        p["id"].removesuffix("-error"): p.get_text(" ", strip=True)
        for p in soup_of(answer).select("p.error[id$='-error']")
    }


def stored(app, month: date = OCTOBER) -> dict[str, int]:
    """{channel: cents} stored for `month`."""
    with app.app_context():
        return {channel: cents for (_, channel), cents in monthly_costs(month, month).items()}


def month_inputs(client, month: str = "2026-10") -> dict:
    return page_inputs(client.get(f"{PATH}?month={month}").get_data(as_text=True), "#month-costs")


@pytest.fixture
def admin(client, auth):
    """Logged in as the admin: posts the month form of `month` with `amounts` filled in."""
    auth.login("admin")

    def post(month: str = "2026-10", path: str = PATH, **amounts):
        fields = month_inputs(client, month) if path == PATH else {}
        fields.setdefault("csrf_token", auth.csrf_token(PATH))
        return client.post(path, data={**fields, "month": month, **amounts})

    return post


def test_an_admin_saves_a_month_and_each_channel_is_stored_in_cents(app, client, admin, users):
    answer = admin(paid="2500", email="150.50", event="0")

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/costs?month=2026-10"
    assert stored(app) == {"paid": 250000, "email": 15050, "event": 0}
    with app.app_context():
        row = db.session.get(ChannelCost, (OCTOBER, "paid"))
        assert row.updated_by_id == users["admin"][0]
    assert "Costs for October 2026 saved." in client.get(answer.headers["Location"]).get_data(
        as_text=True
    )


def test_amounts_typed_the_dutch_way_are_read_as_euros(app, admin):
    answer = admin(paid="2.500,50", social="€ 1.250", search="1 250,-", referral="12,5")

    assert answer.status_code == 303
    assert stored(app) == {"paid": 250050, "social": 125000, "search": 125000, "referral": 1250}


def test_the_form_shows_the_stored_amounts_again_and_empty_fields_for_the_others(client, admin):
    admin(paid="2.500,50", direct="300")

    inputs = month_inputs(client)

    assert (inputs["paid"], inputs["direct"], inputs["month"]) == ("2500.50", "300", "2026-10")
    assert all(inputs[channel] == "" for channel in CHANNELS if channel not in ("paid", "direct"))


def test_every_channel_has_a_field_with_its_name_and_what_it_covers(client, admin):
    form = soup_of(client.get(PATH)).select_one("#month-costs")

    for channel in CHANNELS:
        assert form.select_one(f"label[for={channel}]").get_text(strip=True) == channel
        assert form.select_one(f"#{channel}-hint").get_text(strip=True)
    assert "Google" in form.select_one("#paid-hint").get_text()


def test_an_unreadable_amount_gives_422_keeps_what_was_typed_and_stores_nothing(app, admin):
    admin(manual="100")

    answer = admin(paid="2500", email="abc", event="-5", manual="")

    assert answer.status_code == 422
    typed = page_inputs(answer.get_data(as_text=True), "#month-costs")
    assert (typed["paid"], typed["email"], typed["event"], typed["manual"]) == (
        "2500",
        "abc",
        "-5",
        "",
    )
    errors = field_errors(answer)
    assert set(errors) == {"email", "event"}
    assert "like 2500 or 2.500,00" in errors["email"]
    assert "negative" in errors["event"]
    assert stored(app) == {"manual": 10000}  # all or nothing: paid not saved, manual not cleared


def test_clearing_a_field_removes_that_channels_cost_for_the_month(app, admin):
    admin(paid="2500", email="100")

    answer = admin(paid="", email="100")

    assert answer.status_code == 303
    assert stored(app) == {"email": 10000}


def test_saving_one_month_leaves_the_other_months_alone(app, admin):
    admin(month="2026-09", paid="900")

    admin(month="2026-10", paid="1000")

    assert stored(app, date(2026, 9, 1)) == {"paid": 90000}
    assert stored(app) == {"paid": 100000}


def test_a_post_without_a_valid_month_is_refused_and_stores_nothing(app, admin):
    answer = admin(month="2026-13", paid="2500")

    assert answer.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ChannelCost)) == 0


def test_a_post_without_the_csrf_token_is_refused(app, client, admin):
    answer = client.post(PATH, data={"month": "2026-10", "paid": "2500"})

    assert answer.status_code == 400
    assert stored(app) == {}


# The month shown


def test_the_overview_shows_the_12_months_up_to_the_chosen_month_with_row_totals(client, admin):
    admin(month="2025-11", paid="100")  # the first of the 12 months
    admin(month="2025-10", paid="999")  # one month too early
    admin(month="2026-10", paid="2.500", email="500,50")

    table = soup_of(client.get(f"{PATH}?month=2026-10")).select_one("#cost-overview")

    rows = table.select("tbody tr")
    assert [row["data-month"] for row in rows] == [f"2025-{m}" for m in ("11", "12")] + [
        f"2026-{m:02d}" for m in range(1, 11)
    ]
    last = rows[-1]
    assert last.select_one("[data-channel=paid]").get_text(strip=True) == "€2,500.00"
    assert last.select_one("[data-channel=email]").get_text(strip=True) == "€500.50"
    assert last.select_one("[data-channel=event]").get_text(strip=True) == ""
    assert last.select_one(".total").get_text(strip=True) == "€3,000.50"
    assert rows[0].select_one(".total").get_text(strip=True) == "€100.00"
    assert rows[1].select_one(".total").get_text(strip=True) == ""
    assert rows[0].select_one("a")["href"] == "/admin/costs?month=2025-11"


def test_previous_and_next_month_links_cross_the_year(client, admin):
    page = soup_of(client.get(f"{PATH}?month=2026-01"))

    assert page.select_one("a[rel=prev]")["href"] == "/admin/costs?month=2025-12"
    assert page.select_one("a[rel=next]")["href"] == "/admin/costs?month=2026-02"
    assert page.select_one("#month-costs h2").get_text(strip=True) == "Costs for January 2026"


@pytest.mark.parametrize(
    "month", ["", "2026-13", "2026-00", "26-10", "october", "2026-1", "0001-01"]
)
def test_without_a_readable_month_the_page_shows_the_current_month(app, client, admin, month):
    now = datetime.now(ZoneInfo(app.config["LEADS_TIMEZONE"]))

    answer = client.get(f"{PATH}?month={month}")

    assert answer.status_code == 200
    heading = soup_of(answer).select_one("#month-costs h2").get_text(strip=True)
    assert heading == f"Costs for {now:%B %Y}"
    assert page_inputs(answer.get_data(as_text=True), "#month-costs")["month"] == f"{now:%Y-%m}"


# The sales cost per first appointment


def test_the_sales_cost_per_first_appointment_is_saved_and_cleared(app, client, admin):
    answer = admin(path=f"{PATH}/sales", per_appointment="150,00")

    assert answer.status_code == 303
    assert answer.headers["Location"] == "/admin/costs?month=2026-10"
    with app.app_context():
        assert cost_per_appointment() == 15000
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Sales cost per first appointment saved." in page
    assert page_inputs(page, "#sales-cost")["per_appointment"] == "150"

    assert admin(path=f"{PATH}/sales", per_appointment=" ").status_code == 303
    with app.app_context():
        assert cost_per_appointment() is None


def test_an_unreadable_sales_cost_gives_422_keeps_it_and_keeps_the_stored_one(app, admin):
    admin(path=f"{PATH}/sales", per_appointment="150")

    answer = admin(path=f"{PATH}/sales", per_appointment="1500,555")

    assert answer.status_code == 422
    assert page_inputs(answer.get_data(as_text=True), "#sales-cost")["per_appointment"] == (
        "1500,555"
    )
    assert "at most 2 decimals" in field_errors(answer)["per_appointment"]
    with app.app_context():
        assert cost_per_appointment() == 15000


# Who may


@pytest.mark.parametrize(
    ("method", "path"), [("get", PATH), ("post", PATH), ("post", f"{PATH}/sales")]
)
def test_a_sales_person_may_not_open_or_change_the_costs(app, client, auth, method, path):
    auth.login("sales")
    token = auth.csrf_token("/sales/")
    fields = {"csrf_token": token, "month": "2026-10", "paid": "2500", "per_appointment": "150"}

    answer = getattr(client, method)(path, data=fields)

    assert answer.status_code == 403
    assert stored(app) == {}
    with app.app_context():
        assert cost_per_appointment() is None


# What the insights page reads


def test_monthly_costs_returns_the_months_asked_for_and_no_others(app, users):
    admin_id = users["admin"][0]
    with app.app_context():
        for month in (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)):
            save_month_costs(month, {"paid": month.month * 100, "email": None}, admin_id)
        save_month_costs(date(2026, 10, 1), {"event": 50}, admin_id)
        db.session.commit()

        costs = monthly_costs(date(2026, 9, 1), date(2026, 10, 1))

    assert costs == {
        (date(2026, 9, 1), "paid"): 900,
        (date(2026, 10, 1), "paid"): 1000,
        (date(2026, 10, 1), "event"): 50,
    }


def test_an_unchanged_amount_keeps_who_entered_it(app, users):
    with app.app_context():
        save_month_costs(OCTOBER, {"paid": 100}, users["admin"][0])
        db.session.commit()
        save_month_costs(OCTOBER, {"paid": 100}, users["sales"][0])
        db.session.commit()
        assert db.session.get(ChannelCost, (OCTOBER, "paid")).updated_by_id == users["admin"][0]


def test_the_store_refuses_unknown_channels_and_negative_amounts(app, users):
    with app.app_context():
        with pytest.raises(ValueError):
            save_month_costs(OCTOBER, {"tv": 100}, users["admin"][0])
        with pytest.raises(ValueError):
            save_month_costs(OCTOBER, {"paid": -1}, users["admin"][0])
        with pytest.raises(ValueError):
            save_cost_per_appointment(-1, users["admin"][0])
