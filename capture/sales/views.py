"""The incoming-leads page `/sales/`: tabs, filters, rows, and the live banner."""

from datetime import UTC, datetime

from flask import current_app, render_template, request, url_for

from ..domain.assignment import Person
from ..domain.vocabulary import CHANNELS, LISTS, WARMTHS
from ..extensions import db
from ..leads.owners import people
from ..leads.qualification import current_rules
from ..models import Form, utcnow
from ..web.filters import business_zone
from ..web.htmx import is_htmx, vary_on_htmx
from . import bp
from .listing import (
    COUNT_CAP,
    SEARCH_MAX_LENGTH,
    Cursor,
    LeadFilters,
    latest_forms,
    lead_owners,
    lead_page,
    list_counts,
    newer_than,
    request_filters,
)


def owner_choices(everyone: list[Person], filters: LeadFilters) -> list[Person]:
    """The people the owner filter offers, by name: those who take leads, those
    who own leads (someone who left still has some), and the one chosen."""
    others = {person.id for person in everyone if not person.takes_leads}
    owning = lead_owners(others) | {filters.owner_id}
    offered = [person for person in everyone if person.takes_leads or person.id in owning]
    return sorted(offered, key=lambda person: (person.name.casefold(), person.id))


@bp.get("/")
def index():
    """The lists. An htmx request (filters, next page) gets only the results."""
    everyone = people()
    filters = request_filters(everyone)
    rules, zone, now = current_rules(), business_zone(), utcnow()
    cursor = Cursor.decode(request.args.get("after"))
    page = lead_page(filters, rules, zone, now, cursor)
    context = {
        "filters": filters,
        "page": page,
        "forms_used": latest_forms([lead.id for lead in page.leads]),
        # The names shown for owners (Person.name is the display name).
        "owner_names": {person.id: person.name for person in everyone},
        "warmths": WARMTHS,
        "now": now,
        "zone": zone,
        "appending": cursor is not None,
        # htmx "show more" only appends rows: the tabs and their counts stay as they are.
        "counts": None if cursor and is_htmx() else list_counts(filters, rules, zone, now),
        "count_cap": COUNT_CAP,
    }
    if is_htmx():
        if cursor:  # "show more": rows to append, the address stays
            return vary_on_htmx(
                current_app.make_response(render_template("sales/_rows.html", **context))
            )
        response = current_app.make_response(render_template("sales/_results.html", **context))
        # The address bar shows the filters in use, without the empty ones.
        response.headers["HX-Push-Url"] = url_for("sales.index", **filters.as_args())
        return vary_on_htmx(response)
    forms = db.session.scalars(db.select(Form).order_by(Form.title)).all()
    return vary_on_htmx(
        current_app.make_response(
            render_template(
                "sales/index.html",
                lists=LISTS,
                channels=CHANNELS,
                forms=forms,
                owner_choices=owner_choices(everyone, filters),
                search_max_length=SEARCH_MAX_LENGTH,
                **context,
            )
        )
    )


@bp.get("/fresh")
def fresh():
    """Polled by the open list: a banner when leads came in since it was loaded."""
    filters = request_filters(people())
    now = utcnow()
    try:
        loaded_at = datetime.fromisoformat(request.args.get("loaded_at", ""))
        # Only an aware moment counts; one in the future (or beyond year 9999 in UTC) is now.
        loaded_at = min(loaded_at.astimezone(UTC), now) if loaded_at.tzinfo else now
    except (ValueError, OverflowError):
        loaded_at = now
    count = newer_than(filters, business_zone(), loaded_at, now)
    return render_template("sales/_fresh.html", filters=filters, loaded_at=loaded_at, count=count)
