"""Funnel economics: cost per lead, qualified lead, opportunity and customer."""

from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup

from capture.domain.periods import Period
from capture.extensions import db
from capture.insights.report import build_report
from capture.leads.channel_costs import save_cost_per_appointment
from capture.leads.qualification import current_rules
from capture.models import ChannelCost, utcnow

from ..support.insights_dataset import add_lead, add_october

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OCTOBER = Period("custom", date(2026, 10, 1), date(2026, 10, 31))


def enter_costs(month: date, **euros) -> None:
    for channel, amount in euros.items():
        db.session.add(ChannelCost(month=month, channel=channel, amount_cents=amount * 100))
    db.session.commit()


def costs_for(period=OCTOBER):
    report = build_report(period, AMSTERDAM, utcnow(), current_rules())
    by_channel = {cost.key: cost for cost in report.costs}
    return by_channel, report.total_costs


def euros(cost, step: str):
    """The cost per `step` (leads, qualified, opportunity, won) in euros, or None."""
    per = cost.per(getattr(cost.tally, step))
    return None if per is None else per / 100


def add_worked_example() -> None:
    """The brief's example: 100 paid leads in October, 50 qualified, 6 orders."""
    start = datetime(2026, 10, 2, 9, tzinfo=AMSTERDAM)
    for number in range(100):
        if number < 6:
            on_list, outcome = "opportunity", "won"
        elif number < 50:
            on_list, outcome = "nurture", None
        else:
            on_list, outcome = "disqualified", None
        seen = start + timedelta(hours=number)
        add_lead(f"W{number}", "paid", seen, on_list, outcome)
    db.session.commit()


def test_the_worked_example_comes_out_exactly(app, client, auth):
    # 100 leads for EUR 2,500 is EUR 25 per lead; 50 qualified is EUR 50 per
    # qualified lead; 6 orders is about EUR 417 per order.
    with app.app_context():
        add_worked_example()
        enter_costs(date(2026, 10, 1), paid=2500)
        costs, total = costs_for()
        paid = costs["paid"]

    assert euros(paid, "leads") == 25
    assert euros(paid, "qualified") == 50
    assert euros(paid, "won") == Fraction(2500, 6)
    assert euros(paid, "opportunity") == Fraction(2500, 6)  # the 6 orders were all opportunities
    assert total.marketing == 250000

    auth.login("sales")
    page = client.get("/sales/insights/?period=custom&since=2026-10-01&until=2026-10-31")
    text = page.get_data(as_text=True)
    assert "€25.00" in text and "€50.00" in text and "€416.67" in text
    assert "Best leads: paid — 6% of its 100 leads became opportunities." in " ".join(
        BeautifulSoup(text, "html.parser").select_one(".glance-answers").get_text().split()
    )
    answer = client.get(
        "/sales/insights/export.csv?table=costs&period=custom&since=2026-10-01&until=2026-10-31"
    )
    rows = answer.get_data(as_text=True).splitlines()
    assert rows[1].startswith("paid,2500.00,100,50,6,6,25.00,50.00,416.67,416.67")


def test_cost_per_step_per_channel_and_in_total(app):
    # October: paid EUR 600, email EUR 0 (entered), event EUR 1,000, direct
    # not entered (counted as free in the total).
    with app.app_context():
        add_october()
        enter_costs(date(2026, 10, 1), paid=600, email=0, event=1000)
        costs, total = costs_for()

    paid, email, event, direct = costs["paid"], costs["email"], costs["event"], costs["direct"]
    # paid: 6 leads, 4 qualified, 3 opportunities, 1 won.
    assert [euros(paid, s) for s in ("leads", "qualified", "opportunity", "won")] == [
        100,
        150,
        200,
        600,
    ]
    # A channel with zero cost: every lead of it cost nothing.
    assert [euros(email, s) for s in ("leads", "qualified", "opportunity", "won")] == [0, 0, 0, 0]
    # event: 2 leads, 1 qualified, no opportunity, nobody won: no cost per those.
    assert [euros(event, s) for s in ("leads", "qualified", "opportunity", "won")] == [
        500,
        1000,
        None,
        None,
    ]
    assert direct.marketing is None and euros(direct, "leads") is None
    # Total: EUR 1,600 over 12 leads, 7 qualified, 4 opportunities, 2 won.
    assert total.marketing == 160000
    assert [euros(total, s) for s in ("leads", "qualified", "opportunity", "won")] == [
        Fraction(1600, 12),
        Fraction(1600, 7),
        400,
        800,
    ]


def test_the_sales_cost_per_first_appointment_is_added_per_customer(app, users):
    # EUR 150 per first appointment; appointments are the opportunities that
    # were followed up: P1, P2, P3 (paid) and E1 (email).
    with app.app_context():
        add_october()
        enter_costs(date(2026, 10, 1), paid=600)
        save_cost_per_appointment(15000, users["admin"][0])
        db.session.commit()
        costs, total = costs_for()

    assert costs["paid"].sales == 3 * 15000
    assert costs["paid"].per_customer_with_sales == (60000 + 45000) / 1
    assert costs["email"].per_customer_with_sales == 15000  # no marketing cost, 1 won
    assert total.sales == 4 * 15000
    assert total.per_customer_with_sales == (60000 + 60000) / 2


def test_a_month_partly_in_the_period_counts_by_its_days(app):
    # 15 October to 14 November: 17 of October's 31 days of EUR 3,100
    # (EUR 1,700) and 14 of November's 30 days of EUR 6,000 (EUR 2,800).
    with app.app_context():
        enter_costs(date(2026, 10, 1), paid=3100)
        enter_costs(date(2026, 11, 1), paid=6000)
        enter_costs(date(2026, 12, 1), paid=99999)  # outside the period
        costs, total = costs_for(Period("custom", date(2026, 10, 15), date(2026, 11, 14)))

    assert costs["paid"].marketing == 450000
    # Money spent but no leads: nothing to divide it over.
    assert costs["paid"].tally.leads == 0 and euros(costs["paid"], "leads") is None
    assert total.marketing == 450000


def test_an_empty_period_without_costs_has_no_cost_rows(app, client, auth):
    with app.app_context():
        costs, total = costs_for(Period("custom", date(2020, 1, 1), date(2020, 1, 31)))
    assert costs == {}
    assert total.marketing is None and total.per(total.tally.leads) is None

    auth.login("sales")
    page = client.get("/sales/insights/?period=custom&since=2020-01-01&until=2020-01-31")
    assert page.status_code == 200
    assert "No leads and no costs in this period." in page.get_data(as_text=True)
