"""`/sales/insights/`: the weekly look at channels, first response, reasons, funnels,
pipeline and cost."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain.funnel import whole_percent
from ..domain.periods import PERIODS, Period, period_from
from ..domain.vocabulary import CHANNELS
from ..extensions import db
from ..leads.qualification import current_rules
from ..models import Form, utcnow
from ..web.filters import business_zone, channel_word
from ..web.htmx import is_htmx, vary_on_htmx
from . import bp
from .charts import channel_chart, funnel_chart
from .report import Drill, Drop, Report, build_report

STEP_LABELS = {
    "view": _l("Form shown"),
    "contact": _l("Contact step sent"),
    "qualify": _l("Qualifying step sent"),
    "download": _l("E-book downloaded"),
}
# The periods' names on the page (the domain's PERIODS, in the reader's language).
PERIOD_LABELS = {
    "this-month": _l("This month so far"),
    "last-month": _l("Last month"),
    "30d": _l("Last 30 days"),
    "90d": _l("Last 90 days"),
    "custom": _l("Custom range"),
}

# How "no source" travels in a URL (an empty parameter would mean "not chosen").
NO_SOURCE = "(none)"


def _printable(raw: str | None, limit: int) -> str:
    return "".join(ch for ch in (raw or "") if ch.isprintable()).strip()[:limit]


@dataclass(frozen=True)
class Chosen:
    """What the page (or its CSV export) was asked for: a period of local
    dates in `zone`, maybe one form, and a level of drill-down."""

    period: Period
    form: Form | None
    drill: Drill
    zone: ZoneInfo

    def query_args(self) -> dict:
        """Query-string arguments for this view of the page (None and empty left out)."""
        period, drill = self.period, self.drill
        values = {
            "period": period.kind,
            "since": period.since.isoformat() if period.kind == "custom" else None,
            "until": period.until.isoformat() if period.kind == "custom" else None,
            "form": self.form.slug if self.form else None,
            "channel": drill.channel,
            "source": NO_SOURCE if drill.source == "" else drill.source,
        }
        return {name: value for name, value in values.items() if value not in (None, "")}

    def report(self) -> Report:
        """The report of what was chosen, as of now, by the rules in force."""
        return build_report(
            self.period, self.zone, utcnow(), current_rules(), self.form, self.drill
        )


def chosen(args) -> Chosen:
    """What the page was asked for, cleaned: unknown values are dropped, not errors."""
    zone = business_zone()
    today = utcnow().astimezone(zone).date()
    period = period_from(args.get("period"), args.get("since"), args.get("until"), today)
    slug = _printable(args.get("form"), 80)
    form = db.session.scalar(db.select(Form).where(Form.slug == slug)) if slug else None
    channel = args.get("channel") if args.get("channel") in CHANNELS else None
    source = _printable(args.get("source"), 200) if channel and args.get("source") else None
    drill = Drill(channel, "" if source == NO_SOURCE else source)
    return Chosen(period, form, drill, zone)


def charts_for(report: Report) -> dict:
    # Channels are vocabulary, shown in the reader's language; sources and campaigns as typed.
    by_channel = report.drill.grouping == "channel"
    rows = [
        (
            (channel_word(row.key) if by_channel else row.key) if row.key else _("(none)"),
            row.opportunity,
            row.nurture,
            row.disqualified,
        )
        for row in report.rows
    ]
    funnels = {
        funnel.form.id: funnel_chart(
            [(str(STEP_LABELS[step]), funnel.counts.get(step, 0)) for step in funnel.steps]
        )
        for funnel in report.funnels
    }
    return {"channels": channel_chart(rows), "funnels": funnels}


def drop_in_words(drop: Drop | None) -> dict | None:
    """The biggest drop as the headline says it: a whole percent and the steps' names."""
    if drop is None:
        return None
    return {
        "share": f"{whole_percent(drop.left, drop.came)}%",
        "form": drop.form,
        "before": STEP_LABELS[drop.before],
        "after": STEP_LABELS[drop.after],
    }


def page_context(report: Report, args: dict) -> dict:
    """The names the page and its partial read."""
    return {
        "report": report,
        "args": args,
        "charts": charts_for(report),
        "best": report.best_channel,
        "drop": drop_in_words(report.biggest_drop),
        "step_labels": STEP_LABELS,
        "no_source": NO_SOURCE,
        "periods": {kind: PERIOD_LABELS.get(kind, label) for kind, label in PERIODS.items()},
        "forms": db.session.scalars(db.select(Form).order_by(Form.title)).all(),
    }


@bp.get("/")
def index():
    """The page; an htmx request (a changed filter) gets only the report."""
    asked = chosen(request.args)
    args = asked.query_args()
    context = page_context(asked.report(), args)
    if is_htmx():
        response = current_app.make_response(render_template("insights/_page.html", **context))
        response.headers["HX-Push-Url"] = url_for("insights.index", **args)
        return vary_on_htmx(response)
    page = render_template("insights/index.html", **context)
    return vary_on_htmx(current_app.make_response(page))
