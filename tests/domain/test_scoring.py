"""The lead score: fit from headcount and sector, engagement from what the lead did."""

from dataclasses import replace

import pytest

from capture.domain.rules import DEFAULT_RULES
from capture.domain.scoring import Score, highest_intent, score_lead
from capture.domain.vocabulary import DEFAULT_INTENT, HEADCOUNT_BANDS, SECTORS

TARGETING_ICT = replace(DEFAULT_RULES, target_sectors=frozenset({"ict", "logistics"}))


@pytest.mark.parametrize(
    ("headcount", "fit"),
    [
        ("1", 0),
        ("2-9", 10),
        ("10-49", 40),
        ("50-99", 60),
        ("100-249", 80),
        ("250-999", 100),
        ("1000+", 100),
    ],
)
def test_fit_points_follow_the_headcount_table(headcount, fit):
    score = score_lead(headcount, "retail", [])
    assert score.fit == fit
    assert f"{headcount} employees: +{fit}" in score.reasons


def test_the_headcount_table_covers_every_band():
    assert set(DEFAULT_RULES.headcount_points) == set(HEADCOUNT_BANDS)


@pytest.mark.parametrize("headcount", [None, "", "lots", "10-50"])
def test_an_unknown_headcount_gives_no_fit_points(headcount):
    score = score_lead(headcount, None, [])
    assert score.fit == 0
    assert score.reasons == ()


@pytest.mark.parametrize(
    ("headcount", "sector", "fit"),
    [
        ("100-249", "ict", 100),
        ("100-249", "logistics", 100),
        ("100-249", "retail", 80),
        ("100-249", None, 80),
        ("1", "ict", 20),
        (None, "ict", 20),
    ],
)
def test_a_target_sector_adds_20_fit_points(headcount, sector, fit):
    score = score_lead(headcount, sector, [], TARGETING_ICT)
    assert score.fit == fit
    assert (f"target sector {sector}: +20" in score.reasons) == (sector in {"ict", "logistics"})


@pytest.mark.parametrize("sector", SECTORS)
def test_no_sector_earns_the_bonus_by_default(sector):
    assert score_lead("50-99", sector, []).fit == 60


@pytest.mark.parametrize(
    ("form_kind", "engagement"),
    [("newsletter", 5), ("gate", 20), ("contact", 60)],
)
def test_engagement_points_follow_the_form_kinds_default_intent(form_kind, engagement):
    intent = DEFAULT_INTENT[form_kind]
    score = score_lead("10-49", "retail", [intent])
    assert score.engagement == engagement
    assert f"{intent} intent: +{engagement}" in score.reasons


@pytest.mark.parametrize(
    ("intents", "top", "engagement"),
    [
        ([], None, 0),
        (["low"], "low", 5),
        (["medium"], "medium", 20),
        (["high"], "high", 60),
        (["low", "medium"], "medium", 20 + 10),
        (["medium", "low"], "medium", 20 + 10),
        (["medium", "high"], "high", 60 + 10),
        (["high", "medium"], "high", 60 + 10),
        (["low", "high", "medium"], "high", 60 + 20),
    ],
)
def test_engagement_counts_the_highest_intent_among_all_submissions(intents, top, engagement):
    assert highest_intent(intents) == top
    assert score_lead("10-49", "retail", intents).engagement == engagement


@pytest.mark.parametrize(
    ("submissions", "engagement", "repeat_reason"),
    [
        (1, 20, None),
        (2, 30, "1 further submission: +10"),
        (3, 40, "2 further submissions: +20"),
        (4, 50, "3 further submissions: +30"),
        (5, 50, "4 further submissions: +30"),
        (12, 50, "11 further submissions: +30"),
    ],
)
def test_each_further_submission_adds_10_up_to_30(submissions, engagement, repeat_reason):
    score = score_lead("10-49", "retail", ["medium"] * submissions)
    assert score.engagement == engagement
    repeat_reasons = [reason for reason in score.reasons if "further submission" in reason]
    assert repeat_reasons == ([repeat_reason] if repeat_reason else [])


def test_repeat_points_and_their_cap_are_settings():
    rules = replace(DEFAULT_RULES, repeat_points=25, repeat_points_max=40)
    assert score_lead(None, None, ["low", "low"], rules).engagement == 5 + 25
    assert score_lead(None, None, ["low"] * 4, rules).engagement == 5 + 40


def test_the_summary_reads_fit_plus_engagement():
    score = score_lead("100-249", "retail", ["medium", "medium"])
    assert score.summary() == "fit 80 + engagement 30"
    assert score.total == 110


def test_the_summary_shows_zeros_for_an_unanswered_lead():
    assert score_lead(None, None, []).summary() == "fit 0 + engagement 0"


def test_the_reasons_list_every_part_of_the_score_in_order():
    score = score_lead("250-999", "ict", ["medium", "high", "medium"], TARGETING_ICT)
    assert score == Score(
        fit=120,
        engagement=80,
        reasons=(
            "250-999 employees: +100",
            "target sector ict: +20",
            "high intent: +60",
            "2 further submissions: +20",
        ),
    )
    assert score.total == 200
    assert score.summary() == "fit 120 + engagement 80"


@pytest.mark.parametrize("headcount", HEADCOUNT_BANDS)
@pytest.mark.parametrize("sector", SECTORS)
def test_an_ebook_download_alone_never_reaches_the_threshold_by_default(headcount, sector):
    score = score_lead(headcount, sector, [DEFAULT_INTENT["gate"]])
    assert score.total < DEFAULT_RULES.opportunity_threshold == 150


def test_an_ebook_download_alone_stays_below_the_threshold_even_in_a_target_sector():
    score = score_lead("1000+", "ict", ["medium"], TARGETING_ICT)
    assert score.total == 140
    assert score.total < TARGETING_ICT.opportunity_threshold


def test_a_large_target_sector_firm_that_keeps_coming_back_reaches_the_threshold():
    score = score_lead("1000+", "ict", ["medium", "medium", "medium", "medium"], TARGETING_ICT)
    assert score.summary() == "fit 120 + engagement 50"
    assert score.total >= TARGETING_ICT.opportunity_threshold


@pytest.mark.parametrize(
    ("field", "value", "total"),
    [
        ("headcount_points", {"10-49": 70}, 70 + 20),
        ("intent_points", {"low": 1, "medium": 2, "high": 3}, 2),
    ],
)
def test_points_tables_are_settings(field, value, total):
    rules = replace(DEFAULT_RULES, **{field: value})
    headcount = "10-49" if field == "headcount_points" else None
    assert score_lead(headcount, None, ["medium"], rules).total == total
