"""`/admin/costs`: what marketing spent per channel per month, for the insights page.

`?month=2026-10` chooses the month (default: this month where the business is).
Saving a month is all or nothing: one unreadable amount and nothing is stored.
"""

from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..domain.money import format_money
from ..domain.vocabulary import CHANNELS
from ..extensions import db
from ..leads.channel_costs import (
    cost_per_appointment,
    monthly_costs,
    save_cost_per_appointment,
    save_month_costs,
)
from ..web.filters import business_zone, date_words
from . import bp
from .cost_forms import (
    CHANNEL_HINTS,
    MonthCostsForm,
    SalesCostForm,
    cents_of,
    month_from_key,
    month_key,
)

OVERVIEW_MONTHS = 12
TOO_LATE = _l("Someone saved costs at the same moment. Check the amounts and save again.")


def this_month() -> date:
    """The first day of the current month in the business's time zone."""
    return datetime.now(business_zone()).date().replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after `month` (before, when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _page(
    month: date,
    month_form: MonthCostsForm | None = None,
    sales_form: SalesCostForm | None = None,
    notice: str | None = None,
    status: int = 200,
):
    """The page for `month`; a form that failed comes back as typed, with its messages."""
    first = add_months(month, 1 - OVERVIEW_MONTHS)
    costs = monthly_costs(first, month)
    months = [add_months(first, i) for i in range(OVERVIEW_MONTHS)]
    stored = {channel: costs[month, channel] for channel in CHANNELS if (month, channel) in costs}
    totals: dict[date, int] = {}
    for (cost_month, _channel), cents in costs.items():
        totals[cost_month] = totals.get(cost_month, 0) + cents
    page = render_template(
        "admin/costs.html",
        month=month,
        month_key=month_key,
        previous_month=add_months(month, -1),
        next_month=add_months(month, 1),
        channels=CHANNELS,
        hints=CHANNEL_HINTS,
        months=months,
        costs=costs,
        totals=totals,
        money=format_money,
        month_form=month_form or MonthCostsForm.for_month(month, stored),
        sales_form=sales_form or SalesCostForm.for_cost(cost_per_appointment(), month),
        notice=notice,
    )
    return page, status


@bp.get("/costs")
def costs():
    """The month's form, the 12 months up to it, and the sales cost form."""
    return _page(month_from_key(request.args.get("month")) or this_month())


@bp.post("/costs")
def save_costs():
    """Store the posted month's costs (an empty field removes that cost); 422 as typed."""
    form = MonthCostsForm()
    month = month_from_key(form.month.data)
    if month is None:
        abort(400)
    if not form.validate():
        return _page(month, month_form=form, status=422)
    try:
        save_month_costs(month, form.amounts(), current_user.id)
        db.session.commit()
    except IntegrityError:
        # Another admin added the same month a moment ago (PostgreSQL; SQLite queues writers).
        db.session.rollback()
        return _page(month, month_form=form, notice=TOO_LATE, status=409)
    flash(_("Costs for %(month)s saved.", month=date_words(month)), "info")
    return redirect(url_for("admin.costs", month=month_key(month)), 303)


@bp.post("/costs/sales")
def save_sales_cost():
    """Store or (when empty) clear the sales cost per first appointment; 422 as typed."""
    form = SalesCostForm()
    month = month_from_key(form.month.data) or this_month()
    if not form.validate():
        return _page(month, sales_form=form, status=422)
    cents = cents_of(form.per_appointment)
    try:
        save_cost_per_appointment(cents, current_user.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _page(month, sales_form=form, notice=TOO_LATE, status=409)
    if cents is None:
        flash(_("Sales cost per first appointment cleared."), "info")
    else:
        flash(_("Sales cost per first appointment saved."), "info")
    return redirect(url_for("admin.costs", month=month_key(month)), 303)
