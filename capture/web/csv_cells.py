"""Cells of the CSV files Leadgate writes: safe to open in a spreadsheet,
times in ISO 8601 UTC."""

from datetime import UTC, datetime

# A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """`value` safe to open in a spreadsheet: a would-be formula gets a leading quote."""
    # Checked after leading spaces too: some spreadsheets trim them first.
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def iso_utc(moment: datetime | None) -> str:
    """`2026-11-22T09:30:00Z`, or empty."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
