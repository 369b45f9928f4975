"""Every figure of the insights, checked against the hand-counted data set."""

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from capture.domain.periods import Period
from capture.extensions import db
from capture.insights.report import Drill, build_report
from capture.leads.qualification import current_rules
from capture.models import Form, utcnow

from ..support.insights_dataset import OCTOBER as OCTOBER_ARGS
from ..support.insights_dataset import add_october

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OCTOBER = Period("custom", date(2026, 10, 1), date(2026, 10, 31))


def report_for(period=OCTOBER, zone=AMSTERDAM, form=None, drill=None):
    """The report with every part read (it reads lazily, inside an app context)."""
    report = build_report(period, zone, utcnow(), current_rules(), form, drill or Drill())
    for part in ("rows", "reasons", "funnels", "pipeline", "costs"):
        getattr(report, part)
    return report


def figures(tally) -> tuple:
    return (
        tally.leads,
        tally.opportunity,
        tally.nurture,
        tally.disqualified,
        tally.won,
        tally.lost,
        tally.median_response_seconds,
    )


def test_each_channel_counts_its_leads_lists_outcomes_and_median_response(app):
    with app.app_context():
        add_october()
        report = report_for()

    rows = {row.key: figures(row) for row in report.rows}
    assert rows == {
        "paid": (6, 3, 1, 2, 1, 1, 45 * 60),
        "direct": (3, 0, 1, 2, 0, 0, 120 * 60),
        "email": (1, 1, 0, 0, 1, 0, 45 * 60),
        "event": (2, 0, 1, 1, 0, 0, None),
    }
    # Largest channel first.
    assert [row.key for row in report.rows] == ["paid", "direct", "event", "email"]


def test_the_total_row_adds_up_all_channels_with_the_median_of_all_responses(app):
    with app.app_context():
        add_october()
        total = report_for().total

    assert figures(total) == (12, 4, 3, 5, 2, 1, 52.5 * 60)
    assert total.qualified == 7


def test_a_period_counts_leads_by_their_first_interest_on_local_days(app):
    # 22:30 UTC on 30 September is 00:30 on 1 October in Amsterdam (summer
    # time), 22:59 UTC on 31 October is 23:59 there (winter time): both in;
    # 21:59 UTC on 30 September and 23:00 UTC on 31 October are not.
    with app.app_context():
        add_october()
        event = next(row for row in report_for().rows if row.key == "event")
        first_day = report_for(Period("custom", date(2026, 10, 1), date(2026, 10, 1)))
        november = report_for(Period("custom", date(2026, 11, 1), date(2026, 11, 30)))
        september = report_for(Period("custom", date(2026, 9, 1), date(2026, 9, 30)))

    assert event.leads == 2
    assert first_day.total.leads == 1  # V1 only
    assert november.total.leads == 1  # out2
    assert september.total.leads == 1  # out1


def channel_csv(client, **args) -> dict[str, list[str]]:
    answer = client.get("/sales/insights/export.csv", query_string={"table": "channels", **args})
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    return {row[0]: row[1:] for row in rows[1:]}


def test_the_business_time_zone_setting_moves_the_period_edges(app, client, auth):
    # In New York (4 hours behind UTC in October) V1 and out1 fall on
    # 30 September, V2 and out2 (18:59 and 19:00 on 31 October) in October.
    with app.app_context():
        add_october()
    auth.login("sales")
    amsterdam = channel_csv(client, **OCTOBER_ARGS)
    app.config["LEADS_TIMEZONE"] = "America/New_York"
    new_york = channel_csv(client, **OCTOBER_ARGS)

    assert amsterdam["event"][0] == "2" and amsterdam["all"][0] == "12"
    assert new_york["event"][0] == "2" and new_york["all"][0] == "12"
    one_day = {"period": "custom", "since": "2026-10-31", "until": "2026-10-31"}
    assert channel_csv(client, **one_day)["event"][0] == "2"  # V2 and out2
    app.config["LEADS_TIMEZONE"] = "Europe/Amsterdam"
    assert channel_csv(client, **one_day)["event"][0] == "1"  # V2 only


def test_disqualification_reasons_are_grouped_overall_and_per_channel(app):
    with app.app_context():
        add_october()
        reasons = report_for().reasons

    assert dict(reasons.totals) == {
        "Too small": 2,
        "Wrong territory": 1,
        "Other": 1,
        "Wrong sector": 1,
    }
    assert reasons.counts["Too small", "paid"] == 2
    assert reasons.counts["Wrong territory", "direct"] == 1
    assert reasons.counts["Other", "direct"] == 1
    assert reasons.counts["Wrong sector", "event"] == 1
    assert reasons.channels == ["paid", "event", "direct"]  # in the vocabulary's order
    assert reasons.groups[0] == "Too small"


def test_a_channel_drills_down_to_its_sources_and_a_source_to_its_campaigns(app):
    with app.app_context():
        add_october()
        sources = report_for(drill=Drill("paid"))
        campaigns = report_for(drill=Drill("paid", "google"))
        no_source = report_for(drill=Drill("direct", ""))

    assert {row.key: row.leads for row in sources.rows} == {"google": 4, "linkedin": 2}
    assert figures(sources.total)[:4] == (6, 3, 1, 2)
    assert {row.key: row.leads for row in campaigns.rows} == {"autumn": 3, "": 1}
    assert campaigns.total.leads == 4
    assert no_source.total.leads == 3  # direct leads have no source
    # Costs are known per channel, not per source: not shown in a drill-down.
    assert sources.costs is None


def test_one_form_shows_only_the_leads_it_brought_in(app):
    with app.app_context():
        form = db.session.scalar(db.select(Form).where(Form.slug == "demo-contact"))
        add_october(form)
        report = report_for(form=form)

    assert {row.key: row.leads for row in report.rows} == {"paid": 6, "email": 1}
    assert report.costs is None


def test_an_empty_period_has_zeros_and_no_median(app):
    with app.app_context():
        add_october()
        report = report_for(Period("custom", date(2020, 1, 1), date(2020, 1, 31)))

    assert report.rows == []
    assert figures(report.total) == (0, 0, 0, 0, 0, 0, None)
    assert dict(report.reasons.totals) == {}
    assert report.funnels == []


@pytest.mark.parametrize(
    ("warmth_days", "expected"),
    [((1, 10, 40), {"hot": 1, "warm": 1, "cold": 1})],
)
def test_the_open_pipeline_counts_open_opportunities_and_nurture_by_warmth(
    app, warmth_days, expected
):
    from ..support.factories import make_lead

    with app.app_context():
        for days in warmth_days:
            make_lead(days_ago=days, list="opportunity")
            make_lead(days_ago=days, list="nurture")
            make_lead(days_ago=days, list="disqualified")
        make_lead(days_ago=1, list="opportunity", outcome="won")  # closed: not open
        make_lead(days_ago=50, list="opportunity", outcome="lost")
        db.session.commit()
        pipeline = report_for().pipeline

    assert pipeline == {"opportunity": expected, "nurture": expected}


def test_waits_count_in_minutes_rounded_to_the_second_on_every_database(app):
    # 59.7 seconds is 1 minute and 179.6 seconds 3: the median is 2 minutes.
    from ..support.insights_dataset import add_lead, utc

    with app.app_context():
        add_lead("quick", "paid", utc("2026-10-05T10:00"), "opportunity", None, 59.7 / 60)
        add_lead("slower", "paid", utc("2026-10-05T11:00"), "opportunity", None, 179.6 / 60)
        db.session.commit()
        total = report_for().total

    assert total.median_response_seconds == 120
