"""Euro amounts: read as a Dutch or English user types them, shown rounded to the cent."""

from decimal import Decimal
from fractions import Fraction

import pytest

from capture.domain.money import format_money, money_input, parse_money


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("2500", 250000),
        ("0", 0),
        ("007", 700),
        # one kind of separator before exactly 3 digits groups thousands
        ("2.500", 250000),
        ("2,500", 250000),
        ("1.250.000", 125000000),
        ("1,250,000", 125000000),
        ("999.999", 99999900),
        # one kind of separator before 1 or 2 digits at the end separates the cents
        ("2500,50", 250050),
        ("2500.50", 250050),
        ("2500,5", 250050),
        ("0,99", 99),
        ("0.05", 5),
        # both kinds: the last one separates the cents
        ("2.500,50", 250050),
        ("2,500.50", 250050),
        ("1.250.000,75", 125000075),
        ("1,250,000.7", 125000070),
        # currency signs, spaces as grouping, the Dutch ",-"
        ("€ 2.500", 250000),
        ("€2500", 250000),
        ("EUR 2500", 250000),
        ("eur2.500,00", 250000),
        ("2500 euro", 250000),
        ("2.500 €", 250000),
        ("€ 2.500,-", 250000),
        ("  1 250 ", 125000),
        ("1 250 000,50", 125000050),
        ("1\u00a0250", 125000),
        # the largest amount allowed
        ("10.000.000,00", 1_000_000_000),
    ],
)
def test_parse_money_reads_dutch_and_english_amounts_as_cents(typed, cents):
    assert parse_money(typed) == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "cannot be negative"),
        ("-2.500,00", "cannot be negative"),
        ("€ -5", "cannot be negative"),
        ("- € 5", "cannot be negative"),
        ("abc", "like 2500 or 2.500,00"),
        ("25 euro 50", "like 2500 or 2.500,00"),
        ("1e5", "like 2500 or 2.500,00"),
        ("2500k", "like 2500 or 2.500,00"),
        ("+5", "like 2500 or 2.500,00"),
        ("", "like 2500 or 2.500,00"),
        ("   ", "like 2500 or 2.500,00"),
        ("€", "like 2500 or 2.500,00"),
        ("2500.", "like 2500 or 2.500,00"),
        (",50", "like 2500 or 2.500,00"),
        ("1.2.3", "like 2500 or 2.500,00"),
        ("2.500.50", "like 2500 or 2.500,00"),
        ("12 50", "like 2500 or 2.500,00"),
        ("1.250,000.00", "like 2500 or 2.500,00"),
        ("2,50.000", "like 2500 or 2.500,00"),
        ("\u00b2", "like 2500 or 2.500,00"),
        ("1" * 40, "like 2500 or 2.500,00"),
        ("2.5055", "at most 2 decimals"),
        ("2500,505", "at most 2 decimals"),
        ("0.125", "at most 2 decimals"),
        ("2,500.505", "at most 2 decimals"),
        ("10.000.000,01", "at most €10,000,000.00"),
        ("99999999999", "at most €10,000,000.00"),
    ],
)
def test_parse_money_refuses_with_a_sentence_for_the_user(typed, message):
    with pytest.raises(ValueError, match=r"\.$") as refused:
        parse_money(typed)
    assert message in str(refused.value)
    assert str(refused.value)[0].isupper()


@pytest.mark.parametrize(
    ("cents", "shown"),
    [
        (0, "€0.00"),
        (5, "€0.05"),
        (99, "€0.99"),
        (250000, "€2,500.00"),
        (250050, "€2,500.50"),
        (125000000, "€1,250,000.00"),
        # the worked example: EUR 2,500 over 6 orders
        (Fraction(250000, 6), "€416.67"),
        (Fraction(125000, 3), "€416.67"),
        (Decimal("41666.66666"), "€416.67"),
        (Fraction(1, 3), "€0.00"),
        # half a cent rounds up
        (Fraction(1, 2), "€0.01"),
        (Fraction(3, 2), "€0.02"),
        (Fraction(2499, 2), "€12.50"),
        (Decimal("41666.5"), "€416.67"),
        (Decimal("41666.49"), "€416.66"),
        (Fraction(-1, 2), "-€0.01"),
        (-250000, "-€2,500.00"),
    ],
)
def test_format_money_shows_euros_rounded_half_up_to_the_cent(cents, shown):
    assert format_money(cents) == shown


@pytest.mark.parametrize("cents", [0, 1, 50, 99, 100, 250000, 250050, 125000075, 1_000_000_000])
def test_an_amount_shown_or_put_in_a_form_reads_back_the_same(cents):
    assert parse_money(format_money(cents)) == cents
    assert parse_money(money_input(cents)) == cents


@pytest.mark.parametrize(("cents", "typed"), [(0, "0"), (250000, "2500"), (250050, "2500.50")])
def test_a_form_field_gets_the_amount_without_grouping(cents, typed):
    assert money_input(cents) == typed
