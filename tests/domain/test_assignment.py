"""Choosing a lead's owner: the contract's order, fair weighted turns, absences."""

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from capture.domain.assignment import (
    ABSENCE_BACKWARDS,
    RULE_WITHOUT_CRITERIA,
    WEIGHT_OUT_OF_RANGE,
    Absence,
    Account,
    AssignmentProblem,
    AssignmentRule,
    LeadToAssign,
    Person,
    Turn,
    assign,
    give_back,
    needs_owner,
    round_robin,
    rules_naming_nobody,
    who_takes_leads,
)

TODAY = date(2026, 12, 7)
ANNA, BAS, CEES = (
    Person(1, "Anna", weight=2),
    Person(2, "Bas", weight=2),
    Person(3, "Cees", weight=1),
)
TEAM = (ANNA, BAS, CEES)
AWAY_THIS_WEEK = (Absence(date(2026, 12, 7), date(2026, 12, 11)),)
LARGE_TO_ANNA = AssignmentRule(person_id=1, size_class="large", label="large firms → Anna")
HEALTH_TO_BAS = AssignmentRule(person_id=2, sector="healthcare", label="healthcare → Bas")
NEW_LEAD = LeadToAssign()


def owners_of(count: int, people=TEAM, rules=(), lead=NEW_LEAD, day=TODAY) -> Counter:
    turn, owners = Turn(), Counter()
    for _ in range(count):
        chosen = assign(lead, people, rules, turn, day)
        owners[chosen.person_id] += 1
        turn = chosen.turn
    return owners


# Each row: the lead, the people, the rules → the owner and words of the why.
ORDER_TABLE = [
    pytest.param(
        LeadToAssign(entered_by_id=3, headcount="1000+"),
        TEAM,
        (LARGE_TO_ANNA,),
        3,
        "entered by hand",
        id="a hand entry goes to whoever enters it, before any rule",
    ),
    pytest.param(
        LeadToAssign(entered_by_id=9, headcount="1000+"),
        TEAM,
        (LARGE_TO_ANNA,),
        1,
        "rule 1: large firms → Anna",
        id="a hand entry by someone who takes no leads follows the rules",
    ),
    pytest.param(
        LeadToAssign(owner_id=2, headcount="1000+"),
        TEAM,
        (LARGE_TO_ANNA,),
        2,
        "keeps its owner",
        id="a returning lead keeps its owner, before any rule",
    ),
    pytest.param(
        LeadToAssign(owner_id=2, headcount="1000+"),
        (ANNA, replace(BAS, absences=AWAY_THIS_WEEK), CEES),
        (LARGE_TO_ANNA,),
        1,
        "rule 1",
        id="an owner away this week does not keep it",
    ),
    pytest.param(
        LeadToAssign(owner_id=2),
        (ANNA, replace(BAS, takes_leads=False), CEES),
        (),
        1,
        "round robin",
        id="an owner who left does not keep it",
    ),
    pytest.param(
        LeadToAssign(sector="healthcare", headcount="1000+"),
        TEAM,
        (HEALTH_TO_BAS, LARGE_TO_ANNA),
        2,
        "rule 1: healthcare → Bas",
        id="the first matching rule wins",
    ),
    pytest.param(
        LeadToAssign(sector="healthcare", headcount="2-9"),
        TEAM,
        (AssignmentRule(person_id=1, sector="healthcare", size_class="large"),),
        1,
        "round robin",
        id="a rule matches only when all its criteria do",
    ),
    pytest.param(
        LeadToAssign(headcount="1000+"),
        (replace(ANNA, absences=AWAY_THIS_WEEK), BAS, CEES),
        (LARGE_TO_ANNA,),
        2,
        "round robin (rule 1: that person is unavailable)",
        id="a rule whose person is away is passed over, and the log says so",
    ),
    pytest.param(
        LeadToAssign(channel="paid_search", form_id=7),
        TEAM,
        (AssignmentRule(person_id=3, channel="paid_search", form_id=7),),
        3,
        "rule 1",
        id="rules by channel and form",
    ),
    pytest.param(
        LeadToAssign(),
        (replace(ANNA, absences=AWAY_THIS_WEEK), replace(BAS, takes_leads=False)),
        (),
        None,
        "nobody available",
        id="nobody available: no owner",
    ),
]


@pytest.mark.parametrize(("lead", "people", "rules", "owner", "why"), ORDER_TABLE)
def test_the_owner_is_chosen_in_the_contracts_order(lead, people, rules, owner, why):
    chosen = assign(lead, people, rules, Turn(), TODAY)

    assert chosen.person_id == owner
    assert why in chosen.why


def test_turns_are_shared_by_weight_within_one_percent():
    owners = owners_of(1000)

    for person, share in ((ANNA, 0.4), (BAS, 0.4), (CEES, 0.2)):
        assert abs(owners[person.id] / 1000 - share) <= 0.01


def test_each_turn_given_has_the_next_number():
    turn, numbers = Turn(), []
    for _ in range(3):
        _, turn = round_robin(TEAM, turn)
        numbers.append(turn.number)

    assert numbers == [1, 2, 3]


def test_turns_interleave_rather_than_give_anyone_a_streak():
    turn, order = Turn(), []
    for _ in range(10):
        chosen, turn = round_robin(TEAM, turn)
        order.append(chosen.name)

    assert order[:5] == ["Anna", "Bas", "Cees", "Anna", "Bas"]
    assert order[5:] == order[:5]


def test_someone_away_gets_no_leads_and_the_others_share_theirs_by_weight():
    owners = owners_of(900, people=(ANNA, BAS, replace(CEES, absences=AWAY_THIS_WEEK)))

    assert owners[CEES.id] == 0
    assert owners[ANNA.id] == owners[BAS.id] == 450


def test_an_absence_covers_its_first_and_last_day_only():
    away = replace(ANNA, absences=(Absence(date(2026, 12, 7), date(2026, 12, 8)),))

    assert [away.available_on(date(2026, 12, day)) for day in (6, 7, 8, 9)] == [
        True,
        False,
        False,
        True,
    ]


def test_a_returning_lead_keeps_its_owner_every_time():
    owners = owners_of(200, lead=LeadToAssign(owner_id=CEES.id, headcount="1000+"))

    assert owners == Counter({CEES.id: 200})


def test_keeping_an_owner_or_following_a_rule_uses_no_turn():
    turn = Turn({1: 3, 2: -1, 3: -2})

    kept = assign(LeadToAssign(owner_id=2), TEAM, (), turn, TODAY)
    ruled = assign(LeadToAssign(headcount="1000+"), TEAM, (LARGE_TO_ANNA,), turn, TODAY)

    assert kept.turn == ruled.turn == turn


def test_the_same_turn_gives_the_same_person_on_every_worker():
    turn = Turn({1: 0, 2: 0, 3: 0})

    assert {assign(LeadToAssign(), TEAM, (), turn, TODAY).person_id for _ in range(5)} == {1}


@pytest.mark.parametrize("weight", [0, -1, 11, 1.5, True])
def test_a_weight_outside_1_to_10_is_refused(weight):
    with pytest.raises(AssignmentProblem, match=WEIGHT_OUT_OF_RANGE):
        Person(4, "Dirk", weight=weight)


def test_an_absence_that_ends_before_it_starts_is_refused():
    with pytest.raises(AssignmentProblem, match=ABSENCE_BACKWARDS):
        Absence(date(2026, 12, 9), date(2026, 12, 8))


def test_a_rule_without_criteria_is_refused():
    with pytest.raises(AssignmentProblem, match=RULE_WITHOUT_CRITERIA):
        AssignmentRule(person_id=1)


def test_rules_naming_someone_who_takes_no_leads_are_found():
    people = (ANNA, replace(BAS, takes_leads=False))
    rules = (LARGE_TO_ANNA, HEALTH_TO_BAS, AssignmentRule(person_id=99, sector="ict"))

    assert rules_naming_nobody(rules, people) == [2, 3]


ACCOUNTS_TABLE = [
    pytest.param(
        [Account(1, "admin", True), Account(2, "sales", True)],
        {2},
        id="sales take leads; an admin by default not while there is a sales user",
    ),
    pytest.param(
        [Account(1, "admin", True), Account(2, "sales", False)],
        {1},
        id="an admin takes leads by default while no active sales user exists",
    ),
    pytest.param(
        [Account(1, "admin", True, admin_takes_leads=True), Account(2, "sales", True)],
        {1, 2},
        id="an admin switched on takes leads",
    ),
    pytest.param(
        [Account(1, "admin", True, admin_takes_leads=False), Account(2, "sales", False)],
        set(),
        id="an admin switched off does not, even alone",
    ),
    pytest.param(
        [Account(1, "admin", False, admin_takes_leads=True), Account(2, "sales", False)],
        set(),
        id="a deactivated person takes none",
    ),
]


@pytest.mark.parametrize(("accounts", "taking"), ACCOUNTS_TABLE)
def test_who_takes_leads(accounts, taking):
    assert who_takes_leads(accounts) == taking


@pytest.mark.parametrize(
    ("to_list", "nurture_gets_owners", "needed"),
    [
        ("opportunity", False, True),
        ("nurture", False, False),
        ("nurture", True, True),
        ("disqualified", True, False),
    ],
)
def test_which_leads_need_an_owner(to_list, nurture_gets_owners, needed):
    assert needs_owner(to_list, nurture_gets_owners) is needed


def test_a_turn_given_back_leaves_the_credits_as_if_it_was_never_taken():
    people = [Person(1, "Anna", weight=2), Person(2, "Bas", weight=2), Person(3, "Chris", weight=1)]
    turn = Turn()
    for _ in range(3):
        _, turn = round_robin(people, turn)
    chosen, taken = round_robin(people, turn)
    assert give_back(people, taken, chosen.id) == Turn(turn.credits, taken.number)

    # With turns given in between: only the one given back is undone.
    following, later = round_robin(people, taken)
    undone = give_back(people, later, chosen.id)
    credits = {p.id: turn.credits.get(p.id, 0) + p.weight for p in people}
    credits[following.id] -= sum(p.weight for p in people)
    assert undone == Turn(credits, later.number)
