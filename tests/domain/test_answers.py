"""A returning lead's answers: what is taken, what is set aside, and never down."""

import pytest

from capture.domain.answers import LIST_LADDER, merge_answers, never_down, same_answer
from capture.domain.routing import Routing

STORED = {"name": "Anna Jansen", "company": "Bakkerij Jansen", "phone": None, "sector": "ict"}


@pytest.mark.parametrize(
    ("given", "taken", "differing"),
    [
        ({}, {}, {}),
        ({"phone": "020 123 4567"}, {"phone": "020 123 4567"}, {}),
        ({"company": "  bakkerij JANSEN "}, {}, {}),
        ({"company": "Jansen Holding"}, {}, {"company": "Jansen Holding"}),
        ({"company": "", "phone": "  "}, {}, {}),
        ({"sector": None}, {}, {}),
        (
            {"name": "Mallory", "phone": "06 1", "sector": "ict"},
            {"phone": "06 1"},
            {"name": "Mallory"},
        ),
    ],
)
def test_new_answers_fill_blanks_and_differing_ones_are_set_aside(given, taken, differing):
    merge = merge_answers(STORED, given)

    assert (merge.taken, merge.differing) == (taken, differing)


def test_a_blank_stored_answer_of_only_spaces_is_filled():
    assert merge_answers({"company": "  "}, {"company": "Visser"}).taken == {"company": "Visser"}


@pytest.mark.parametrize(
    ("stored", "given", "same"),
    [
        ("ICT", "ict", True),
        (" Anna ", "anna", True),
        ("Straße", "STRASSE", True),
        ("a", "b", False),
    ],
)
def test_answers_are_compared_trimmed_and_case_folded(stored, given, same):
    assert same_answer(stored, given) is same


KEPT = "Asked for a demo"


@pytest.mark.parametrize(
    ("current", "proposed", "result"),
    [
        ("opportunity", "disqualified", "opportunity"),
        ("opportunity", "nurture", "opportunity"),
        ("nurture", "disqualified", "nurture"),
        ("nurture", "opportunity", "opportunity"),
        ("disqualified", "nurture", "nurture"),
        ("disqualified", "opportunity", "opportunity"),
        ("nurture", "nurture", "nurture"),
    ],
)
def test_a_returning_lead_moves_up_the_ladder_never_down(current, proposed, result):
    assert set(LIST_LADDER) == {current, proposed} | set(LIST_LADDER)

    routing = never_down(current, KEPT, Routing(proposed, "the rules' reason"))

    assert routing.list == result
    assert routing.reason == (
        KEPT if result == current and proposed != current else "the rules' reason"
    )
