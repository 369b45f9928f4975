"""Euro amounts as people type them (Dutch or English style) and as the pages show them.

Amounts are kept in whole cents; averages such as cost per lead may be
fractions of a cent until they are shown.
"""

import re
from decimal import Decimal
from fractions import Fraction

MAX_CENTS = 1_000_000_000  # EUR 10,000,000.00: more is a typo, not a marketing budget

ASK = "Enter an amount in euros, like 2500 or 2.500,00."
NEGATIVE = "Enter an amount of zero or more: a cost cannot be negative."
TOO_PRECISE = "Use at most 2 decimals (whole cents), like 2.500,50."
TOO_LARGE = "Enter at most €10,000,000.00; check the amount for a typo."

CURRENCY_BEFORE = re.compile(r"^(?:€|eur(?:os?)?)\s*", re.IGNORECASE)
CURRENCY_AFTER = re.compile(r"\s*(?:€|eur(?:os?)?)$", re.IGNORECASE)
NO_CENTS = re.compile(r"[.,]-{1,2}$")  # the Dutch "2.500,-"
# Whole euros with one kind of thousands separator (dot, comma or space) between groups of 3.
GROUPED = re.compile(r"[1-9][0-9]{0,2}([., ])[0-9]{3}(?:\1[0-9]{3})*")
DIGITS = re.compile(r"[0-9]+")


def parse_money(text: str) -> int:
    """The amount in `text` in cents: "2.500,50", "2,500.50", "€ 2500", "1 250" ...

    When both "," and "." appear, the last one separates the cents. A single
    kind of separator followed by groups of exactly 3 digits groups thousands;
    followed by 1 or 2 digits at the end it separates the cents.
    Raises ValueError, with a sentence for the user, for anything else,
    negative amounts, more than 2 decimals and more than EUR 10 million.
    """
    body = re.sub(r"\s+", " ", text.strip())
    if body.startswith("-"):
        raise ValueError(NEGATIVE)
    body = CURRENCY_AFTER.sub("", CURRENCY_BEFORE.sub("", body))
    if body.startswith("-"):
        raise ValueError(NEGATIVE)
    body = NO_CENTS.sub("", body)
    if len(body) > 30 or not re.fullmatch(r"[0-9][0-9., ]*", body):
        raise ValueError(ASK)
    whole, cents = _split_decimals(body)
    if not DIGITS.fullmatch(whole) and not GROUPED.fullmatch(whole):
        raise ValueError(ASK)
    if cents and not DIGITS.fullmatch(cents):
        raise ValueError(ASK)
    if len(cents) > 2:
        raise ValueError(TOO_PRECISE)
    amount = int(re.sub(r"[^0-9]", "", whole)) * 100 + int(cents.ljust(2, "0"))
    if amount > MAX_CENTS:
        raise ValueError(TOO_LARGE)
    return amount


def _split_decimals(body: str) -> tuple[str, str]:
    """(whole euros as typed, the digits after the decimal separator or "")."""
    if "," in body and "." in body:
        separator = body[max(body.rfind(","), body.rfind("."))]
    else:
        separator = next((c for c in body if c in ",."), None)
        if separator is None or body.count(separator) > 1:
            return body, ""
        head, _, tail = body.partition(separator)
        # "2.500" groups thousands; "2500.505" or "0.125" cannot: those are decimals.
        if re.fullmatch(r"[1-9][0-9]{0,2}", head) and re.fullmatch(r"[0-9]{3}", tail):
            return body, ""
    whole, _, cents = body.rpartition(separator)
    if not cents:
        raise ValueError(ASK)
    return whole, cents


def _whole_cents(cents: int | Fraction | Decimal) -> int:
    """`cents` rounded to a whole cent, halves away from zero (so 0.5 cent is 1 cent)."""
    exact = Fraction(cents)
    rounded = int(abs(exact) + Fraction(1, 2))  # int() truncates: floor for x >= 0
    return -rounded if exact < 0 else rounded


def format_money(cents: int | Fraction | Decimal) -> str:
    """`cents` as euros for the pages: "€2,500.00", "€416.67" for 41666.67 cents."""
    whole = _whole_cents(cents)
    euros, rest = divmod(abs(whole), 100)
    return f"{'-' if whole < 0 else ''}€{euros:,}.{rest:02d}"


def money_input(cents: int) -> str:
    """`cents` for a form field: "2500" or "2500.50", which `parse_money` reads back."""
    euros, rest = divmod(cents, 100)
    return f"{euros}.{rest:02d}" if rest else str(euros)
