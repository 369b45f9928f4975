"""The insights page as sales see it: tables, charts, drill-down, filters, CSV."""

import csv
import io
from datetime import UTC, datetime

from bs4 import BeautifulSoup

from capture.extensions import db
from capture.leads.funnel_counts import count_form_event
from capture.models import ChannelCost, Form

from ..support.insights_dataset import OCTOBER, add_lead, add_october, utc


def page(client, **args):
    answer = client.get("/sales/insights/", query_string={**OCTOBER, **args})
    assert answer.status_code == 200
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


def table_rows(soup, heading_id: str) -> dict[str, list[str]]:
    section = soup.find(attrs={"aria-labelledby": heading_id})
    rows = {}
    for row in section.select("table tr"):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        rows[cells[0]] = cells[1:]
    return rows


def csv_rows(client, table: str, **args) -> list[list[str]]:
    answer = client.get(
        "/sales/insights/export.csv", query_string={"table": table, **OCTOBER, **args}
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment")
    return list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_page_answers_which_channel_brings_how_many_and_how_good_leads(app, client, auth):
    with app.app_context():
        add_october()
    auth.login("sales")

    rows = table_rows(page(client), "channels-title")

    assert rows["paid"] == ["6", "3 50%", "1 17%", "2 33%", "1", "1", "45 min"]
    assert rows["direct"] == ["3", "0 0%", "1 33%", "2 67%", "0", "0", "2 h"]
    assert rows["event"] == ["2", "0 0%", "1 50%", "1 50%", "0", "0", "—"]
    assert rows["Total"] == ["12", "4 33%", "3 25%", "5 42%", "2", "1", "53 min"]


def test_the_channel_chart_is_an_accessible_svg_beside_the_table(app, client, auth):
    with app.app_context():
        add_october()
    auth.login("sales")

    svg = page(client).find(attrs={"aria-labelledby": "channels-title"}).find("svg")

    assert svg["role"] == "img"
    assert svg.find("title").get_text() == "Leads per channel by list"
    assert "paid: 6 leads, 3 opportunity, 1 nurture, 2 disqualified" in svg.find("desc").get_text()


def test_a_channel_links_to_its_sources_and_a_source_to_its_campaigns(app, client, auth):
    with app.app_context():
        add_october()
    auth.login("sales")

    overview = page(client)
    paid_link = overview.find("a", string="paid")["href"]
    sources = BeautifulSoup(client.get(paid_link).get_data(as_text=True), "html.parser")
    google_link = sources.find("a", string="google")["href"]
    campaigns = BeautifulSoup(client.get(google_link).get_data(as_text=True), "html.parser")

    assert {k: v[0] for k, v in table_rows(sources, "channels-title").items()} == {
        "Source": "Leads",
        "google": "4",
        "linkedin": "2",
        "Total": "6",
    }
    assert {k: v[0] for k, v in table_rows(campaigns, "channels-title").items()} == {
        "Campaign": "Leads",
        "autumn": "3",
        "(none)": "1",
        "Total": "4",
    }
    crumbs = [a.get_text() for a in campaigns.select(".crumbs a")]
    assert crumbs == ["All channels", "paid"]


def test_the_reasons_table_shows_groups_overall_and_per_channel(app, client, auth):
    with app.app_context():
        add_october()
    auth.login("sales")

    rows = table_rows(page(client), "reasons-title")

    assert rows["Reason"] == ["All", "paid", "event", "direct"]
    assert rows["Too small"] == ["2 40%", "2", "0", "0"]
    assert rows["Wrong territory"] == ["1 20%", "0", "0", "1"]
    assert rows["Other"] == ["1 20%", "0", "0", "1"]
    assert rows["Wrong sector"] == ["1 20%", "0", "1", "0"]


def test_each_form_shows_its_funnel_from_shown_to_downloaded(app, client, auth):
    with app.app_context():
        gate = db.session.scalar(db.select(Form).where(Form.slug == "demo-ebook"))
        when = datetime(2026, 10, 10, 12, tzinfo=UTC)
        for event, times in (("view", 200), ("contact", 40), ("qualify", 30), ("download", 24)):
            for _ in range(times):
                count_form_event(gate.id, event, when)
        db.session.commit()
    auth.login("sales")

    soup = page(client)
    rows = table_rows(soup, "funnel-title")

    assert rows["Form shown"] == ["200", ""]
    assert rows["Contact step sent"] == ["40", "20%"]
    assert rows["Qualifying step sent"] == ["30", "75%"]
    assert rows["E-book downloaded"] == ["24", "80%"]
    assert csv_rows(client, "funnel")[1] == ["demo-ebook", "gate", "200", "40", "30", "24"]
    funnel_svg = soup.find(attrs={"aria-labelledby": "funnel-title"}).find("svg")
    assert funnel_svg.find("title").get_text().startswith("Funnel of ")


def test_the_open_pipeline_counts_open_leads_and_nurture_links_to_its_list(app, client, auth):
    with app.app_context():
        add_lead("cold", "paid", utc("2026-01-05T10:00"), "opportunity")
        add_lead("won", "paid", utc("2026-01-06T10:00"), "opportunity", outcome="won")
        add_lead("waiting", "email", utc("2026-01-07T10:00"), "nurture")
        add_lead("resting", "email", utc("2026-01-08T10:00"), "nurture")
        db.session.commit()
    auth.login("sales")

    section = page(client).find(attrs={"aria-labelledby": "pipeline-title"})
    rows = table_rows(page(client), "pipeline-title")
    cold_nurture = section.select("tbody tr")[1].find_all("td")[2].find("a")

    assert rows["Open opportunities"] == ["0", "0", "1"]  # the won one is closed
    assert section.select("tbody tr")[0].find("a") is None
    assert rows["Nurture"] == ["0", "0", "2"]
    assert cold_nurture["href"] == "/sales/?list=nurture&warmth=cold&owner=all"
    listed = BeautifulSoup(client.get(cold_nurture["href"]).get_data(as_text=True), "html.parser")
    assert len(listed.select("td.who a")) == 2
    assert csv_rows(client, "pipeline") == [
        ["list", "hot", "warm", "cold"],
        ["opportunity", "0", "0", "1"],
        ["nurture", "0", "0", "2"],
    ]


def test_the_channels_csv_has_the_figures_of_the_page(app, client, auth):
    with app.app_context():
        add_october()
    auth.login("sales")

    rows = {row[0]: row[1:] for row in csv_rows(client, "channels")}

    assert rows["paid"] == ["6", "3", "1", "2", "0.6667", "1", "1", "4", "2700"]
    assert rows["all"] == ["12", "4", "3", "5", "0.5833", "2", "1", "6", "3150"]
    assert [row[0] for row in csv_rows(client, "reasons")][1:] == [
        "Too small",
        "Other",
        "Wrong sector",
        "Wrong territory",
    ]


def test_hostile_campaign_names_are_escaped_on_the_page_and_inert_in_the_csv(app, client, auth):
    with app.app_context():
        add_lead(
            "X",
            "paid",
            utc("2026-10-05T10:00"),
            "nurture",
            source="google",
            utm_campaign='=HYPERLINK("http://evil")<script>alert(1)</script>',
        )
        db.session.commit()
    auth.login("sales")

    answer = client.get(
        "/sales/insights/", query_string={**OCTOBER, "channel": "paid", "source": "google"}
    )
    rows = csv_rows(client, "channels", channel="paid", source="google")

    assert "<script>alert(1)</script>" not in answer.get_data(as_text=True)
    assert "&lt;script&gt;" in answer.get_data(as_text=True)
    assert rows[1][0].startswith("'=HYPERLINK")


def test_a_changed_filter_swaps_in_the_report_and_shows_it_in_the_address(client, auth):
    auth.login("sales")

    answer = client.get(
        "/sales/insights/", query_string={"period": "90d"}, headers={"HX-Request": "true"}
    )

    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    top = BeautifulSoup(body, "html.parser").find(True)
    assert (top.name, top["id"]) == ("div", "insights")  # the filters and the report
    assert "<html" not in body
    assert answer.headers["HX-Push-Url"] == "/sales/insights/?period=90d"
    assert "HX-Request" in answer.headers["Vary"]


def test_unknown_filters_fall_back_instead_of_failing(client, auth):
    auth.login("sales")

    for args in (
        {"period": "forever"},
        {"period": "custom", "since": "not-a-date", "until": "2026-13-45"},
        {"channel": "carrier-pigeon", "source": "x"},
        {"form": "no-such-form"},
    ):
        assert client.get("/sales/insights/", query_string=args).status_code == 200
    assert client.get("/sales/insights/export.csv?table=everything").status_code == 404
    # Costs are per channel: none for one form.
    assert client.get("/sales/insights/export.csv?table=costs&form=demo-ebook").status_code == 404


def test_the_insights_are_in_the_menu_of_sales_and_admin(client, auth):
    auth.login("sales")
    menu = BeautifulSoup(client.get("/sales/").get_data(as_text=True), "html.parser")

    assert menu.select_one("nav.app-nav a[href='/sales/insights/']").get_text() == "Insights"


def test_the_headline_answers_the_four_questions_at_a_glance(app, client, auth):
    with app.app_context():
        add_october()
        gate = db.session.scalar(db.select(Form).where(Form.slug == "demo-ebook"))
        when = datetime(2026, 10, 10, 12, tzinfo=UTC)
        for event, times in (("view", 100), ("contact", 20), ("qualify", 18), ("download", 9)):
            for _ in range(times):
                count_form_event(gate.id, event, when)
        db.session.add(
            ChannelCost(month=datetime(2026, 10, 1).date(), channel="paid", amount_cents=60000)
        )
        db.session.commit()
    auth.login("sales")

    answers = [" ".join(li.get_text().split()) for li in page(client).select(".glance-answers li")]

    # No channel has 10 leads in the data set: none is called the best.
    assert answers == [
        "Most visitors are lost on Free e-book: lead management for small firms: 80% of "
        "“Form shown” did not reach “Contact step sent”.",
        "Disqualified mostly as Too small: 40% of 5 disqualified leads.",
        "A customer cost €300.00 in marketing.",
    ]
