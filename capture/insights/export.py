"""`/sales/insights/export.csv?table=…`: one of the page's tables as a CSV file.

The same Report as the page, so the file and the screen agree; money in
euros with two decimals, shares as fractions 0..1 with four decimals.
"""

import csv
import io
import math
from collections.abc import Iterator
from fractions import Fraction

from flask import Response, abort, request

from ..domain.funnel import share
from ..domain.vocabulary import WARMTHS
from ..web.csv_cells import neutralised
from . import bp
from .report import Report
from .views import chosen

TABLES = ("channels", "responses", "costs", "reasons", "funnel", "pipeline")


def _euros(cents: Fraction | None) -> str:
    """`416.67` for 41666.67 cents: whole cents, half a cent rounded up."""
    if cents is None:
        return ""
    whole = math.floor(Fraction(cents) + Fraction(1, 2))
    return f"{whole // 100}.{whole % 100:02d}"


def _fraction(value: Fraction | None) -> str:
    return "" if value is None else f"{float(value):.4f}"


def _channels(report: Report) -> Iterator[list]:
    yield [
        report.drill.grouping,
        "leads",
        "opportunity",
        "nurture",
        "disqualified",
        "qualified_share",
        "won",
        "lost",
        "responded",
        "median_first_response_seconds",
    ]
    for row in [*report.rows, report.total]:
        key = "all" if row is report.total else row.key or "(none)"
        yield [
            key,
            row.leads,
            row.opportunity,
            row.nurture,
            row.disqualified,
            _fraction(share(row.qualified, row.leads)),
            row.won,
            row.lost,
            row.responded,
            "" if row.median_response_seconds is None else round(row.median_response_seconds),
        ]


def _minutes(value: float | None) -> str:
    """Business minutes: `45`, `52.5` (a median between two), '' for none."""
    return "" if value is None else f"{value:g}"


def _responses(report: Report) -> Iterator[list]:
    """The first-response table's owners: business minutes, shares 0..1."""
    yield [
        "owner",
        "owner_email",
        "answered",
        "median_response_business_minutes",
        "p90_response_business_minutes",
        "counted",
        "within_target",
        "within_target_share",
    ]
    responses = report.first_responses
    for owner, times in [*responses.owners, (None, responses.total)]:
        name = "all" if owner is None else owner.name if owner.id else "(unassigned)"
        yield [
            name,
            owner.email if owner and owner.email else "",
            times.answered,
            _minutes(times.median_minutes),
            _minutes(times.p90_minutes),
            times.counted,
            times.within,
            _fraction(times.within_share),
        ]


def _costs(report: Report) -> Iterator[list]:
    yield [
        "channel",
        "marketing_cost_eur",
        "leads",
        "qualified",
        "opportunities",
        "won",
        "per_lead_eur",
        "per_qualified_lead_eur",
        "per_opportunity_eur",
        "per_customer_eur",
        "sales_cost_eur",
        "per_customer_with_sales_eur",
    ]
    for cost in [*(report.costs or []), *([report.total_costs] if report.total_costs else [])]:
        tally = cost.tally
        yield [
            cost.key,
            _euros(cost.marketing),
            tally.leads,
            tally.qualified,
            tally.opportunity,
            tally.won,
            _euros(cost.per(tally.leads)),
            _euros(cost.per(tally.qualified)),
            _euros(cost.per(tally.opportunity)),
            _euros(cost.per(tally.won)),
            _euros(cost.sales),
            _euros(cost.per_customer_with_sales),
        ]


def _reasons(report: Report) -> Iterator[list]:
    reasons = report.reasons
    yield ["reason", "total", *reasons.channels]
    for group in reasons.groups:
        counts = [reasons.counts[group, channel] for channel in reasons.channels]
        yield [group, reasons.totals[group], *counts]


def _funnel(report: Report) -> Iterator[list]:
    yield ["form", "kind", "views", "contact_step", "qualifying_step", "downloads"]
    for funnel in report.funnels:
        counts = [funnel.counts.get(step, 0) for step in ("view", "contact", "qualify")]
        download = funnel.counts.get("download", 0) if "download" in funnel.steps else ""
        yield [funnel.form.slug, funnel.form.kind, *counts, download]


def _pipeline(report: Report) -> Iterator[list]:
    yield ["list", *WARMTHS]
    for name, counts in report.pipeline.items():
        yield [name, *(counts[warmth] for warmth in WARMTHS)]


def csv_text(rows: Iterator[list]) -> str:
    buffer = io.StringIO()
    # The byte-order mark makes Excel read the file as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralised(value) for value in row])
    return buffer.getvalue()


@bp.get("/export.csv")
def export_csv():
    """The `table` of the page for the same period, form and drill-down."""
    table = request.args.get("table", "channels")
    if table not in TABLES:
        abort(404)
    report = chosen(request.args).report()
    if table == "costs" and report.costs is None:
        abort(404)
    writers = {
        "channels": _channels,
        "responses": _responses,
        "costs": _costs,
        "reasons": _reasons,
        "funnel": _funnel,
        "pipeline": _pipeline,
    }
    period = report.period
    filename = f"insights-{table}-{period.since.isoformat()}-{period.until.isoformat()}.csv"
    return Response(
        csv_text(writers[table](report)),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
