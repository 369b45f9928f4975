"""`/sales/export.csv`: the current list and filters as a CSV file for Excel.

Streamed in batches read by id (keyset), so an export of a million leads
never holds more than one batch in memory. After the fixed columns, one
`field_<name>` column per hidden field declared on any form (archived ones
too), by name: the lead's latest value.
"""

import csv
import io
from collections.abc import Iterator

from flask import Response, stream_with_context
from sqlalchemy import func

from ..domain.hidden_fields import param_name, valid_name
from ..domain.vocabulary import WARMTHS
from ..extensions import db
from ..leads.owners import people
from ..leads.qualification import current_rules
from ..models import Form, Lead, Submission, User, utcnow
from ..web.csv_cells import iso_utc, neutralised
from ..web.filters import business_zone
from . import bp
from .listing import Bands, band_of, filter_conditions, request_filters

BATCH_SIZE = 500

# Lead columns read for the export, in the order they are written.
LEAD_COLUMNS = (
    "email",
    "name",
    "company",
    "sector",
    "headcount",
    "list",
    "reason",
    "channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer",
)
HEADER = (
    *LEAD_COLUMNS,
    "warmth",
    "score",
    "submissions",
    "first_interest_at",
    "last_interest_at",
    "fit_score",
    "engagement_score",
    "first_response_at",
    "outcome",
    "owner",
    "respond_by",
)


def hidden_field_names() -> list[str]:
    """The names of the hidden fields declared on any form, archived ones too, sorted."""
    names = set()
    for declarations in db.session.scalars(db.select(Form.hidden_fields)):
        for declared in declarations or ():
            if isinstance(declared, dict) and valid_name(declared.get("name")):
                names.add(declared["name"])
    return sorted(names)


def _batches(conditions: list) -> Iterator[tuple[list, dict[int, int]]]:
    """Rows of matching leads by id, a batch at a time, with their submission counts.

    One query, streamed (`yield_per`): the filters, a search included, run once,
    not once per batch.
    """
    columns = [getattr(Lead, name) for name in LEAD_COLUMNS]
    result = db.session.execute(
        db.select(
            Lead.id,
            *columns,
            Lead.score,
            Lead.fit_score,
            Lead.engagement_score,
            Lead.first_interest_at,
            Lead.last_interest_at,
            Lead.first_response_at,
            Lead.outcome,
            User.email.label("owner_email"),
            Lead.respond_by,
            Lead.fields,
        )
        .outerjoin(User, User.id == Lead.owner_id)
        .where(*conditions)
        .order_by(Lead.id)
        .execution_options(yield_per=BATCH_SIZE)
    )
    for rows in result.partitions():
        ids = [row.id for row in rows]
        counts = dict(
            db.session.execute(
                db.select(Submission.lead_id, func.count(Submission.id))
                .where(Submission.lead_id.in_(ids))
                .group_by(Submission.lead_id)
            ).all()
        )
        yield rows, counts


def _drained(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _csv_lines(conditions: list, bands: Bands, field_names: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The byte-order mark makes Excel read the file as UTF-8.
    buffer.write("\ufeff")
    writer.writerow([*HEADER, *(param_name(name) for name in field_names)])
    yield _drained(buffer)
    for rows, counts in _batches(conditions):
        for row in rows:
            writer.writerow(
                [
                    *(neutralised(getattr(row, name)) for name in LEAD_COLUMNS),
                    WARMTHS[band_of(row, bands)],
                    row.score,
                    counts.get(row.id, 0),
                    iso_utc(row.first_interest_at),
                    iso_utc(row.last_interest_at),
                    row.fit_score,
                    row.engagement_score,
                    iso_utc(row.first_response_at),
                    row.outcome or "",
                    neutralised(row.owner_email or ""),
                    iso_utc(row.respond_by),
                    *(neutralised((row.fields or {}).get(name, "")) for name in field_names),
                ]
            )
        yield _drained(buffer)


@bp.get("/export.csv")
def export_csv():
    """The leads the list page shows for these filters; no `list` means every
    list, no `owner` everyone's (the page's link names its owner, so My leads
    exports my leads, while an export's address means the same to everyone)."""
    filters = request_filters(people(), default_list=None, my_leads_first=False)
    zone, now = business_zone(), utcnow()
    bands = Bands.at(now, current_rules())
    conditions = filter_conditions(filters, zone, now)
    if filters.warmth:
        conditions.append(bands.condition(WARMTHS.index(filters.warmth)))
    filename = f"leads-{filters.list or 'all'}-{now.astimezone(zone).date().isoformat()}.csv"
    return Response(
        stream_with_context(_csv_lines(conditions, bands, hidden_field_names())),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
