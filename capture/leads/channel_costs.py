"""What marketing spent per channel per month, and what a first sales appointment costs.

The admin enters them on `/admin/costs`; the insights page reads them to
show cost per lead, qualified lead, opportunity and customer. All in cents.
"""

from datetime import date

from ..domain.vocabulary import CHANNELS
from ..extensions import db
from ..models import ChannelCost, Setting

SALES_COSTS_KEY = "sales_costs"


def first_of_month(day: date) -> date:
    """The first day of the month of `day`: how months are keyed."""
    return day.replace(day=1)


def monthly_costs(first_month: date, last_month: date) -> dict[tuple[date, str], int]:
    """The costs entered for the months `first_month` to `last_month`, both included,
    as {(first day of the month, channel): cents}. A month or channel without an
    entered cost is missing (not 0): nobody said it cost nothing."""
    rows = db.session.execute(
        db.select(ChannelCost.month, ChannelCost.channel, ChannelCost.amount_cents).where(
            ChannelCost.month >= first_of_month(first_month),
            ChannelCost.month <= first_of_month(last_month),
        )
    )
    return {(month, channel): cents for month, channel, cents in rows}


def cost_per_appointment() -> int | None:
    """The sales cost of one first appointment in cents, or None when not entered."""
    stored = db.session.get(Setting, SALES_COSTS_KEY, populate_existing=True)
    cents = (stored.value or {}).get("per_appointment_cents") if stored else None
    return cents if isinstance(cents, int) and not isinstance(cents, bool) else None


def save_month_costs(month: date, amounts: dict[str, int | None], user_id: int) -> None:
    """Store the costs of `month` for the channels in `amounts` (the caller commits).

    An amount in cents replaces the channel's cost; None removes it (no cost
    entered). An unchanged amount keeps who entered it and when. Raises
    ValueError for an unknown channel or a negative amount.
    """
    month = first_of_month(month)
    for channel, cents in amounts.items():
        if channel not in CHANNELS:
            raise ValueError(f"Unknown channel {channel!r}.")
        if cents is not None and cents < 0:
            raise ValueError(f"A cost cannot be negative ({channel}: {cents}).")
        row = db.session.get(ChannelCost, (month, channel))
        if cents is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(
                ChannelCost(month=month, channel=channel, amount_cents=cents, updated_by_id=user_id)
            )
        elif row.amount_cents != cents:
            row.amount_cents, row.updated_by_id = cents, user_id


def save_cost_per_appointment(cents: int | None, user_id: int) -> None:
    """Store the sales cost of a first appointment, None to clear it (the caller commits).

    Raises ValueError for a negative amount.
    """
    if cents is not None and cents < 0:
        raise ValueError(f"A cost cannot be negative ({cents}).")
    stored = db.session.get(Setting, SALES_COSTS_KEY)
    if cents is None:
        if stored is not None:
            db.session.delete(stored)
        return
    stored = stored or Setting(key=SALES_COSTS_KEY)
    if stored.value != {"per_appointment_cents": cents}:
        stored.value, stored.updated_by_id = {"per_appointment_cents": cents}, user_id
    db.session.add(stored)
