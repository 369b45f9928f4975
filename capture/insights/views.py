"""`/sales/insights/`: the weekly look at channels, reasons, funnels, pipeline and cost."""

from fractions import Fraction

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain.funnel import whole_percent
from ..domain.periods import PERIODS, period_from
from ..domain.vocabulary import CHANNELS
from ..extensions import db
from ..leads.qualification import current_rules
from ..models import Form, utcnow
from ..web.filters import business_zone, channel_word
from ..web.htmx import is_htmx, vary_on_htmx
from . import bp
from .charts import channel_chart, funnel_chart
from .report import Drill, Report, build_report

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
# A channel needs this many leads before it can be called the best.
BEST_MIN_LEADS = 10

# How "no source" travels in a URL (an empty parameter would mean "not chosen").
NO_SOURCE = "(none)"


def _printable(raw: str | None, limit: int) -> str:
    return "".join(ch for ch in (raw or "") if ch.isprintable()).strip()[:limit]


def chosen(args) -> dict:
    """What the page was asked for, cleaned: unknown values are dropped, not errors."""
    zone = business_zone()
    today = utcnow().astimezone(zone).date()
    period = period_from(args.get("period"), args.get("since"), args.get("until"), today)
    slug = _printable(args.get("form"), 80)
    form = db.session.scalar(db.select(Form).where(Form.slug == slug)) if slug else None
    channel = args.get("channel") if args.get("channel") in CHANNELS else None
    source = _printable(args.get("source"), 200) if channel and args.get("source") else None
    drill = Drill(channel, "" if source == NO_SOURCE else source)
    return {"period": period, "form": form, "drill": drill, "zone": zone}


def query_args(period, form, drill: Drill, **changes) -> dict:
    """Query-string arguments for a view of the page (None and empty left out)."""
    source = NO_SOURCE if drill.source == "" else drill.source
    values = {
        "period": period.kind,
        "since": period.since.isoformat() if period.kind == "custom" else None,
        "until": period.until.isoformat() if period.kind == "custom" else None,
        "form": form.slug if form else None,
        "channel": drill.channel,
        "source": source,
        **changes,
    }
    return {name: value for name, value in values.items() if value not in (None, "")}


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


def best_channel(report: Report):
    """The channel (or source, campaign) whose leads most often became
    opportunities, among those with enough leads to say so; None if none has."""
    candidates = [row for row in report.rows if row.leads >= BEST_MIN_LEADS and row.opportunity]
    return max(candidates, key=lambda row: (row.opportunity / row.leads, row.leads), default=None)


def biggest_drop(report: Report) -> dict | None:
    """The step of a form's funnel where the largest share of visitors left
    (of steps with at least BEST_MIN_LEADS before them)."""
    drops = []
    for funnel in report.funnels:
        for before, after in zip(funnel.steps, funnel.steps[1:], strict=False):
            came, went_on = funnel.counts.get(before, 0), funnel.counts.get(after, 0)
            if came >= BEST_MIN_LEADS and went_on < came:
                lost = Fraction(came - went_on, came)
                drops.append((lost, came - went_on, came, funnel.form.title, before, after))
    if not drops:
        return None
    _, left, came, form, before, after = max(drops)
    share = f"{whole_percent(left, came)}%"
    return {
        "share": share,
        "form": form,
        "before": STEP_LABELS[before],
        "after": STEP_LABELS[after],
    }


@bp.get("/")
def index():
    """The page; an htmx request (a changed filter) gets only the report."""
    asked = chosen(request.args)
    report = build_report(
        asked["period"], asked["zone"], utcnow(), current_rules(), asked["form"], asked["drill"]
    )
    args = query_args(asked["period"], asked["form"], asked["drill"])
    forms = db.session.scalars(db.select(Form).order_by(Form.title)).all()
    context = {
        "report": report,
        "args": args,
        "charts": charts_for(report),
        "best": best_channel(report),
        "drop": biggest_drop(report),
        "step_labels": STEP_LABELS,
        "no_source": NO_SOURCE,
        "periods": {kind: PERIOD_LABELS.get(kind, label) for kind, label in PERIODS.items()},
        "forms": forms,
    }
    if is_htmx():
        response = current_app.make_response(render_template("insights/_page.html", **context))
        response.headers["HX-Push-Url"] = url_for("insights.index", **args)
        return vary_on_htmx(response)
    page = render_template("insights/index.html", **context)
    return vary_on_htmx(current_app.make_response(page))
