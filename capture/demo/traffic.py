"""Demo traffic: some months of visitors from every channel, for trying the sales
and insights pages (`flask --app wsgi demo-traffic`). Never for a real install.

Leads are scored and routed by the real rules; only the timestamps are set in
the past, which the web path cannot do.
"""

import random
from datetime import date, timedelta

from ..db.transactions import begin_write
from ..domain.business_time import add_business_time
from ..domain.channels import source_of
from ..domain.vocabulary import HEADCOUNT_BANDS
from ..extensions import db
from ..leads.business_calendar import is_dutch_holiday
from ..leads.clocks import business_hours, start_clock, stop_clock, store_clock
from ..leads.funnel_counts import count_form_event
from ..leads.owners import hand_over_from_unavailable
from ..leads.qualification import current_rules, requalify
from ..models import ChannelCost, Form, Lead, Submission, utcnow
from ..web.filters import business_zone
from .people import DemoAssigner

NONCE = "demo-traffic-{}"
# (weight, channel, attribution)
SCENARIOS = [
    (14, "paid", {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "autumn-demo"}),
    (8, "paid", {"utm_source": "linkedin", "utm_medium": "paid-social", "utm_campaign": "ebook"}),
    (10, "search", {"referrer": "https://www.google.com/"}),
    (3, "search", {"referrer": "https://www.bing.com/"}),
    (9, "social", {"referrer": "https://www.linkedin.com/feed/"}),
    (7, "email", {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "monthly"}),
    (5, "event", {"utm_source": "vakbeurs", "utm_medium": "qr", "utm_campaign": "beurs-2026"}),
    (5, "referral", {"referrer": "https://www.partner-accountants.nl/tips"}),
    (12, "direct", {}),
]
SECTORS = ["ict", "manufacturing", "logistics", "retail", "wholesale", "construction", "finance"]
ROLES = ["owner", "manager", "manager", "employee", "employee", "student"]
NAMES = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos"]
MONTHLY_EUROS = {"paid": 1800, "email": 150, "social": 400}
EVENT_EUROS = 2500
# Older opportunities have all been answered (a team that uses Leadgate);
# of the newer ones some wait, so the list opens on clocks that run.
ALL_ANSWERED_AFTER = timedelta(days=3)
# Opportunities that came in this long ago and wait for their answer: some
# due soon, some overdue, whatever the day `make run` is started on.
WAITING = [
    timedelta(minutes=8),
    timedelta(minutes=40),
    timedelta(hours=3),
    timedelta(hours=27),
    timedelta(days=2, hours=5),
    timedelta(days=4),
]


def already_seeded() -> bool:
    nonce = NONCE.format(0)
    return db.session.scalar(db.select(Submission.id).where(Submission.nonce == nonce)) is not None


def _visitor(number: int, form: Form, rng: random.Random, when, qualified: bool) -> Lead:
    weights = [weight for weight, _, _ in SCENARIOS]
    _, channel, attribution = rng.choices(SCENARIOS, weights)[0]
    surname = rng.choice(NAMES)
    company = f"{surname} {rng.choice(['BV', 'Techniek', 'Logistiek', 'Groep', '& Zn'])}"
    email = f"demo{number}@{surname.replace(' ', '').lower()}-{number}.example"
    lead = Lead(
        email_key=email,
        email=email,
        name=f"{rng.choice(['Anna', 'Pieter', 'Fatima', 'Daan', 'Sanne', 'Milan'])} {surname}",
        company=company,
        sector=rng.choice(SECTORS) if qualified else None,
        headcount=rng.choice(HEADCOUNT_BANDS[1:]) if qualified else None,
        role=rng.choice(ROLES) if qualified and form.asks("role") else None,
        list="nurture",
        reason="",
        channel=channel,
        source=source_of(attribution.get("utm_source"), attribution.get("referrer")) or None,
        first_form_id=form.id,
        first_interest_at=when,
        last_interest_at=when,
        **attribution,
    )
    db.session.add(lead)
    db.session.flush()
    db.session.add(
        Submission(
            lead_id=lead.id,
            form_id=form.id,
            nonce=NONCE.format(number),
            intent=form.intent,
            channel=channel,
            created_at=when,
            completed_at=when + timedelta(minutes=1) if qualified else None,
            **attribution,
        )
    )
    db.session.flush()
    requalify(lead, current_rules(), first_routing=True)
    for change in lead.list_changes:
        change.created_at = when
    return lead


def _sales_follow_up(lead: Lead, rng: random.Random, now, waits: bool = False) -> None:
    """Sales respond to every opportunity older than a few days, within hours
    or a day or two, to half the newer ones, and to some nurture later; each
    answer stops the lead's response clock. `waits`: this one is not answered."""
    clock = start_clock(lead, lead.first_interest_at)
    store_clock(lead, clock)
    old = lead.list == "opportunity" and now - lead.first_interest_at > ALL_ANSWERED_AFTER
    if lead.list == "opportunity":
        answered = not waits and (old or rng.random() < 0.5)
    else:
        answered = rng.random() < 0.25 and lead.list != "disqualified"
    # How long the answer took, in business time: people answer in office hours.
    wait = timedelta(minutes=rng.choice([12, 35, 70, 150, 300, 540, 1300]))
    answered_at = add_business_time(
        lead.first_interest_at, wait, business_hours(), is_dutch_holiday, business_zone()
    )
    if answered and answered_at >= now and old:  # a holiday stretched the wait: answered sooner
        answered_at = min(
            add_business_time(
                lead.first_interest_at,
                timedelta(minutes=12),
                business_hours(),
                is_dutch_holiday,
                business_zone(),
            ),
            now - timedelta(minutes=1),
        )
    if answered and answered_at < now:
        lead.first_response_at = answered_at
        stop_clock(lead, "contacted", answered_at)
    if lead.list == "opportunity" and now - lead.first_interest_at > timedelta(days=14):
        roll = rng.random()
        if roll < 0.35:
            lead.outcome, lead.outcome_at = "won", lead.first_interest_at + timedelta(days=10)
        elif roll < 0.6:
            lead.outcome, lead.outcome_at = "lost", lead.first_interest_at + timedelta(days=9)


def _costs(months: list[date]) -> None:
    for month in months:
        for channel, euros in MONTHLY_EUROS.items():
            db.session.merge(ChannelCost(month=month, channel=channel, amount_cents=euros * 100))
    db.session.merge(ChannelCost(month=months[-1], channel="event", amount_cents=EVENT_EUROS * 100))


def seed_traffic(visitors: int = 400, days: int = 120, seed: int = 2026) -> int:
    """Add `visitors` demo visitors over the last `days`, with views, leads,
    owners (the people there are, see capture/demo/people.py), sales
    follow-up and marketing costs. Returns how many leads were made."""
    rng = random.Random(seed)
    now = utcnow()
    forms = db.session.scalars(db.select(Form).where(Form.archived_at.is_(None))).all()
    begin_write()
    owners = DemoAssigner()
    made = 0
    for _ in range(visitors):
        form = rng.choice(forms)
        when = now - timedelta(seconds=rng.uniform(0, days * 86400))
        for _ in range(rng.randint(2, 6)):
            count_form_event(form.id, "view", when)
        if rng.random() < 0.3:
            continue  # looked, did not fill in
        count_form_event(form.id, "contact", when)
        qualified = rng.random() < 0.85  # the rest stop after the contact step
        lead = _visitor(made, form, rng, when, qualified)
        owners.give_owner(lead, when)
        if qualified:
            count_form_event(form.id, "qualify", when)
        if qualified and form.kind == "gate" and rng.random() < 0.85:
            count_form_event(form.id, "download", when)
        _sales_follow_up(lead, rng, now)
        made += 1
    for ago in WAITING:  # a few newcomers of each size wait for their answer
        for _ in range(20):  # until the rules route one to the opportunities
            form = rng.choice(forms)
            for step in ("view", "contact", "qualify"):
                count_form_event(form.id, step, now - ago)
            lead = _visitor(made, form, rng, now - ago, qualified=True)
            owners.give_owner(lead, now - ago)
            _sales_follow_up(lead, rng, now, waits=True)
            made += 1
            if lead.list == "opportunity":
                break
    first = (now - timedelta(days=days)).date().replace(day=1)
    months = [first]
    while months[-1] < now.date().replace(day=1):
        months.append((months[-1] + timedelta(days=32)).replace(day=1))
    _costs(months)
    db.session.commit()
    # Someone away since before today: their waiting opportunities go to colleagues.
    hand_over_from_unavailable()
    return made
