"""Hidden fields: which names a form may declare, and what is kept of a value."""

import pytest

from capture.domain.hidden_fields import (
    LABEL_MISSING,
    LABEL_TOO_LONG,
    MAX_FIELDS,
    MAX_VALUE,
    NAME_FORM,
    NAME_MISSING,
    NAME_REPEATED,
    NAME_RESERVED,
    RESERVED_NAMES,
    TOO_MANY,
    Declarations,
    Problem,
    check_declarations,
    clean_value,
    first_values,
    param_name,
    valid_name,
)
from capture.domain.vocabulary import CLICK_ID_PARAMS, OPTIONAL_QUESTIONS, UTM_PARAMS


@pytest.mark.parametrize("name", ["plan", "p", "campaign_id", "a2", "x" * 32, "plan_2026"])
def test_a_name_of_lowercase_letters_digits_and_underscores_may_be_declared(name):
    assert valid_name(name)


@pytest.mark.parametrize(
    "name",
    ["", "Plan", "2plan", "_plan", "plan-id", "plan id", "x" * 33, "plän", "plan\n", None, 7],
)
def test_a_name_a_page_cannot_pass_as_written_is_refused(name):
    assert not valid_name(name)


# What the form's pages read or post already, by kind.
TAKEN = [
    *("email", "name", "company", "sector", "headcount", "consent", "marketing"),
    *OPTIONAL_QUESTIONS,
    *UTM_PARAMS,
    *CLICK_ID_PARAMS,
    *("page_url", "landing_page", "referrer", "channel", "embed", "lang"),
    *("token", "step", "step_token", "lg_trap", "csrf_token"),
    *("utm_id", "lg_anything", "field_plan"),
]


def test_the_names_taken_are_many_and_listed_as_reserved():
    prefixed = {"utm_id", "lg_anything", "field_plan"}
    assert len(TAKEN) > 30 and set(TAKEN) - prefixed <= RESERVED_NAMES


@pytest.mark.parametrize("name", TAKEN)
def test_a_name_the_form_already_uses_cannot_be_declared(name):
    assert not valid_name(name)
    assert check_declarations([(name, "Label")]) == Declarations(
        problems=(Problem(0, "name", NAME_RESERVED),)
    )


def test_declarations_keep_their_order_and_empty_rows_are_ignored():
    rows = [("plan", "Plan looked at"), ("", ""), ("campaign_id", "Internal campaign"), ("", "")]

    assert check_declarations(rows) == Declarations(
        fields=(
            {"name": "plan", "label": "Plan looked at"},
            {"name": "campaign_id", "label": "Internal campaign"},
        )
    )


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        ([("", "Plan looked at")], [(0, "name", NAME_MISSING)]),
        ([("Plan", "Plan looked at")], [(0, "name", NAME_FORM)]),
        ([("plan", "")], [(0, "label", LABEL_MISSING)]),
        ([("plan", "x" * 81)], [(0, "label", LABEL_TOO_LONG)]),
        ([("plan", "A"), ("", ""), ("plan", "B")], [(2, "name", NAME_REPEATED)]),
        ([("bad name", "")], [(0, "name", NAME_FORM), (0, "label", LABEL_MISSING)]),
    ],
)
def test_each_problem_is_given_at_its_row_and_part(rows, problems):
    checked = check_declarations(rows)

    assert checked.fields == ()
    assert [(p.row, p.part, p.code) for p in checked.problems] == problems


def test_a_label_of_80_characters_is_kept():
    assert check_declarations([("plan", "x" * 80)]).fields == ({"name": "plan", "label": "x" * 80},)


def test_at_most_ten_values_are_declared():
    rows = [(f"value_{n}", f"Value {n}") for n in range(MAX_FIELDS + 1)]

    assert len(check_declarations(rows[:MAX_FIELDS]).fields) == MAX_FIELDS == 10
    assert check_declarations(rows).problems == (Problem(MAX_FIELDS, "name", TOO_MANY),)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("pro", "pro"),
        ("  pro  ", "pro"),
        ("\x00p\x07r\x1bo\x7f", "pro"),
        ("pro\u200bplan", "proplan"),  # a format character, invisible
        ("pro\tplan\n", "pro plan"),
        ("pro\u00a0plan", "pro plan"),
        ("Pro – €49 / maand", "Pro – €49 / maand"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # escaped where shown
        ("", None),
        (" \r\n\t ", None),
        ("\x00", None),
        (None, None),
        (["pro"], None),
    ],
)
def test_a_value_is_kept_without_control_characters_and_trimmed(raw, kept):
    assert clean_value(raw) == kept


def test_a_value_is_cut_at_200_characters():
    assert MAX_VALUE == 200
    assert clean_value("x" * 500) == "x" * 200
    assert clean_value(" " + "é" * 199 + " tail") == "é" * 199  # trimmed after the cut too


def test_the_first_value_found_wins_and_empty_ones_do_not_count():
    sources = [{"plan": "", "campaign": "spring"}, {"plan": "starter"}, {"plan": "pro", "x": "1"}]

    assert first_values(["plan", "campaign", "other"], sources) == {
        "plan": "starter",
        "campaign": "spring",
    }


def test_a_field_travels_as_field_and_its_name():
    assert param_name("plan") == "field_plan"
