"""Routing puts each lead on one of three lists, first matching rule wins, with a reason."""

import json
from dataclasses import replace

import pytest

from capture.domain.routing import LeadFacts, route_lead
from capture.domain.rules import DEFAULT_RULES, QualificationRules, rules_from_dict, rules_to_dict
from capture.domain.scoring import highest_intent, score_lead

TARGETING_ICT = replace(DEFAULT_RULES, target_sectors=frozenset({"ict"}))
EXCLUDING_GOVERNMENT = replace(DEFAULT_RULES, excluded_sectors=frozenset({"government"}))


def route(intents=("medium",), rules=DEFAULT_RULES, pinned_list=None, **answers):
    """Score and route a lead the way the intake does: a fit firm unless told otherwise."""
    answers = {"email": "jan@bakker.nl", "sector": "retail", "headcount": "50-99", **answers}
    facts = LeadFacts(intent=highest_intent(list(intents)), **answers)
    score = score_lead(facts.headcount, facts.sector, list(intents), rules)
    return route_lead(facts, score, rules, pinned_list)


# Each row: what the lead did and answered, the rules, the list, and parts of the reason.
ROUTING_TABLE = [
    pytest.param(
        {"sector": "government"},
        EXCLUDING_GOVERNMENT,
        "disqualified",
        ["government", "excluded"],
        id="excluded-sector",
    ),
    pytest.param(
        {"sector": "government", "intents": ["high"]},
        EXCLUDING_GOVERNMENT,
        "disqualified",
        ["government", "excluded"],
        id="excluded-sector-beats-high-intent",
    ),
    pytest.param(
        {"sector": "government", "headcount": "2-9"},
        EXCLUDING_GOVERNMENT,
        "disqualified",
        ["government", "excluded"],
        id="excluded-sector-is-checked-before-size",
    ),
    pytest.param(
        {"headcount": "1"},
        DEFAULT_RULES,
        "disqualified",
        ["Too small", "minimum is 10-49"],
        id="one-person-firm-too-small",
    ),
    pytest.param(
        {"headcount": "2-9"},
        DEFAULT_RULES,
        "disqualified",
        ["Too small", "2-9", "minimum is 10-49"],
        id="under-ten-too-small",
    ),
    pytest.param(
        {"headcount": "2-9", "intents": ["high"], "budget": "yes", "timeline": "now"},
        DEFAULT_RULES,
        "disqualified",
        ["Too small", "2-9", "minimum is 10-49"],
        id="too-small-beats-high-intent-and-budget",
    ),
    pytest.param(
        {"headcount": "2-9", "role": "student"},
        DEFAULT_RULES,
        "disqualified",
        ["Too small"],
        id="size-is-checked-before-role",
    ),
    pytest.param(
        {"role": "student"},
        DEFAULT_RULES,
        "disqualified",
        ["Not a buyer", "student"],
        id="student",
    ),
    pytest.param(
        {"role": "job-seeker"},
        DEFAULT_RULES,
        "disqualified",
        ["Not a buyer", "job-seeker"],
        id="job-seeker",
    ),
    pytest.param(
        {"role": "student", "intents": ["high"]},
        DEFAULT_RULES,
        "disqualified",
        ["Not a buyer", "student"],
        id="student-beats-high-intent",
    ),
    pytest.param(
        {"email": "tester@mailinator.com"},
        DEFAULT_RULES,
        "disqualified",
        ["Disposable", "mailinator.com"],
        id="disposable-email-domain",
    ),
    pytest.param(
        {"email": "Tester@YopMail.COM ", "intents": ["high"]},
        DEFAULT_RULES,
        "disqualified",
        ["Disposable", "yopmail.com"],
        id="disposable-domain-case-insensitive-beats-high-intent",
    ),
    pytest.param(
        {"intents": ["high"]},
        DEFAULT_RULES,
        "opportunity",
        ["high intent"],
        id="contact-request-is-an-opportunity",
    ),
    pytest.param(
        {"headcount": "10-49", "intents": ["high"]},
        DEFAULT_RULES,
        "opportunity",
        ["high intent"],
        id="smallest-allowed-band-with-demo-request",
    ),
    pytest.param(
        {"budget": "yes", "timeline": "now"},
        DEFAULT_RULES,
        "opportunity",
        ["Budget confirmed", "3 months"],
        id="budget-and-timeline-now",
    ),
    pytest.param(
        {"budget": "yes", "timeline": "3-months"},
        DEFAULT_RULES,
        "opportunity",
        ["Budget confirmed", "3 months"],
        id="budget-and-timeline-3-months",
    ),
    pytest.param(
        {"budget": "yes", "timeline": "6-months"},
        DEFAULT_RULES,
        "nurture",
        ["below 150"],
        id="budget-and-timeline-6-months-is-not-near",
    ),
    pytest.param(
        {"budget": "yes", "timeline": "later"},
        DEFAULT_RULES,
        "nurture",
        ["below 150"],
        id="budget-and-timeline-later",
    ),
    pytest.param(
        {"budget": "no", "timeline": "now"},
        DEFAULT_RULES,
        "nurture",
        ["below 150"],
        id="near-timeline-without-budget",
    ),
    pytest.param(
        {"budget": "unknown", "timeline": "3-months"},
        DEFAULT_RULES,
        "nurture",
        ["below 150"],
        id="near-timeline-with-unknown-budget",
    ),
    pytest.param(
        {"headcount": "1000+", "sector": "ict", "intents": ["medium"] * 4},
        TARGETING_ICT,
        "opportunity",
        ["Score 170", "fit 120 + engagement 50", "threshold of 150"],
        id="large-target-sector-firm-that-keeps-coming-back",
    ),
    pytest.param(
        {"headcount": "250-999", "sector": "ict", "intents": ["medium", "medium"]},
        TARGETING_ICT,
        "opportunity",
        ["Score 150", "fit 120 + engagement 30", "threshold of 150"],
        id="score-exactly-at-threshold",
    ),
    pytest.param(
        {"headcount": "1000+", "sector": "ict", "intents": ["medium"]},
        TARGETING_ICT,
        "nurture",
        ["score 140", "fit 120 + engagement 20", "below 150"],
        id="large-target-sector-firm-single-ebook",
    ),
    pytest.param(
        {"headcount": "1000+", "intents": ["medium"]},
        DEFAULT_RULES,
        "nurture",
        ["A fit, not ready yet", "score 120", "fit 100 + engagement 20", "below 150"],
        id="ebook-download-at-1000-plus",
    ),
    pytest.param(
        {"headcount": "10-49", "intents": ["low"]},
        DEFAULT_RULES,
        "nurture",
        ["score 45", "fit 40 + engagement 5", "below 150"],
        id="newsletter-signup",
    ),
    pytest.param(
        {"headcount": None},
        DEFAULT_RULES,
        "nurture",
        ["Qualifying questions not answered"],
        id="headcount-unanswered",
    ),
    pytest.param(
        {"sector": None},
        DEFAULT_RULES,
        "nurture",
        ["Qualifying questions not answered"],
        id="sector-unanswered",
    ),
]


@pytest.mark.parametrize(("lead", "rules", "expected_list", "reason_parts"), ROUTING_TABLE)
def test_first_matching_rule_decides_the_list_and_the_reason(
    lead, rules, expected_list, reason_parts
):
    routing = route(rules=rules, **lead)
    assert routing.list == expected_list
    for part in reason_parts:
        assert part in routing.reason


def test_nurtured_lead_that_asks_for_a_demo_becomes_an_opportunity():
    assert route(intents=["medium"]).list == "nurture"
    assert route(intents=["medium", "high"]).list == "opportunity"


def test_director_of_a_200_person_firm_who_asks_for_a_demo_gets_a_call():
    routing = route(intents=["medium", "high"], headcount="100-249", role="owner")
    assert routing.list == "opportunity"


def test_junior_at_a_12_person_firm_who_read_one_ebook_is_nurtured():
    routing = route(intents=["medium"], headcount="10-49", role="employee")
    assert routing.list == "nurture"


@pytest.mark.parametrize("pinned", ["opportunity", "nurture", "disqualified"])
@pytest.mark.parametrize(
    "lead",
    [
        {"headcount": "2-9"},
        {"role": "student"},
        {"intents": ["high"]},
        {"intents": ["low"]},
    ],
)
def test_a_list_chosen_by_hand_is_kept_whatever_the_rules_say(pinned, lead):
    routing = route(pinned_list=pinned, **lead)
    assert routing.list == pinned
    assert "by hand" in routing.reason


@pytest.mark.parametrize(
    ("headcount", "expected_list"),
    [
        ("50-99", "opportunity"),
        ("100-249", "opportunity"),
        ("250-999", "opportunity"),
        ("1000+", "disqualified"),
    ],
)
def test_a_maximum_headcount_disqualifies_larger_firms(headcount, expected_list):
    rules = replace(DEFAULT_RULES, max_headcount="250-999")
    routing = route(intents=["high"], headcount=headcount, rules=rules)
    assert routing.list == expected_list
    if expected_list == "disqualified":
        assert "Too large" in routing.reason
        assert "1000+" in routing.reason
        assert "maximum is 250-999" in routing.reason


def test_no_maximum_headcount_by_default():
    assert DEFAULT_RULES.max_headcount is None
    assert route(intents=["high"], headcount="1000+").list == "opportunity"


def test_no_sector_is_excluded_by_default():
    assert DEFAULT_RULES.excluded_sectors == frozenset()
    for sector in DEFAULT_RULES.sectors:
        assert route(intents=["high"], sector=sector).list == "opportunity"


@pytest.mark.parametrize(
    ("values", "lead", "expected_list", "reason_part"),
    [
        (
            {"excluded_sectors": ["government"]},
            {"sector": "government"},
            "disqualified",
            "excluded",
        ),
        ({"min_headcount": None}, {"headcount": "1", "intents": ["high"]}, "opportunity", "high"),
        ({"min_headcount": "1"}, {"headcount": "1", "intents": ["high"]}, "opportunity", "high"),
        ({"min_headcount": "50-99"}, {"headcount": "10-49"}, "disqualified", "minimum is 50-99"),
        ({"max_headcount": "10-49"}, {"headcount": "50-99"}, "disqualified", "maximum is 10-49"),
        ({"opportunity_threshold": 80}, {"headcount": "50-99"}, "opportunity", "threshold of 80"),
        (
            {"target_sectors": ["retail"], "opportunity_threshold": 100},
            {"headcount": "50-99"},
            "opportunity",
            "fit 80 + engagement 20",
        ),
        (
            {"disposable_domains": ["bakker.nl"]},
            {"intents": ["high"]},
            "disqualified",
            "bakker.nl",
        ),
        ({"no_such_setting": 1}, {}, "nurture", "below 150"),
    ],
)
def test_custom_rules_from_a_dict_change_the_routing(values, lead, expected_list, reason_part):
    routing = route(rules=rules_from_dict(values), **lead)
    assert routing.list == expected_list
    assert reason_part in routing.reason


def test_rules_from_a_dict_keep_the_settings_types():
    rules = rules_from_dict(
        {
            "target_sectors": ["ict"],
            "sectors": ["ict", "retail"],
            "headcount_points": {"10-49": 45},
        }
    )
    assert rules.target_sectors == frozenset({"ict"})
    assert rules.sectors == ("ict", "retail")
    assert dict(rules.headcount_points) == {"10-49": 45}
    assert rules.opportunity_threshold == DEFAULT_RULES.opportunity_threshold


def test_rules_from_a_dict_start_from_the_given_base():
    base = replace(DEFAULT_RULES, opportunity_threshold=120)
    rules = rules_from_dict({"excluded_sectors": ["education"]}, base=base)
    assert rules.opportunity_threshold == 120
    assert rules.excluded_sectors == frozenset({"education"})


@pytest.mark.parametrize(
    "rules",
    [
        DEFAULT_RULES,
        QualificationRules(
            sectors=("ict", "retail", "other"),
            target_sectors=frozenset({"ict", "retail"}),
            excluded_sectors=frozenset({"other"}),
            min_headcount="2-9",
            max_headcount="250-999",
            hot_days=1,
            warm_days=14,
            headcount_points={"1": 0, "2-9": 5, "10-49": 50},
            target_sector_points=35,
            intent_points={"low": 1, "medium": 30, "high": 90},
            repeat_points=15,
            repeat_points_max=45,
            opportunity_threshold=110,
            disposable_domains=frozenset({"spam.example"}),
        ),
    ],
    ids=["default", "customised"],
)
def test_rules_survive_a_round_trip_through_a_json_dict(rules):
    stored = json.loads(json.dumps(rules_to_dict(rules)))
    restored = rules_from_dict(stored)
    assert restored == rules
    assert rules_to_dict(restored) == rules_to_dict(rules)


def test_rules_to_dict_gives_plain_json_values():
    plain = rules_to_dict(DEFAULT_RULES)
    assert plain["min_headcount"] == "10-49"
    assert plain["max_headcount"] is None
    assert plain["opportunity_threshold"] == 150
    assert plain["excluded_sectors"] == []
    assert plain["intent_points"] == {"low": 5, "medium": 20, "high": 60}
    assert isinstance(plain["sectors"], list)
    assert plain["disposable_domains"] == sorted(plain["disposable_domains"])
