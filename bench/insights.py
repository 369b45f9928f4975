"""The insights page at scale: `make bench` (or python bench/insights.py).

Seeds 1,000,000 leads and 3,000,000 submissions over the last three years
into a SQLite file (with form counters per 15-minute slot and monthly
channel costs), then times `/sales/insights/` as a logged-in sales user:
the default period, longer periods, a form, the drill-downs and the CSV
export. Reports p50/p95 over repeated runs. The seeded file is kept
(bench/.data/insights-<leads>.db) and reused while it has the expected
counts (newer migrations applied). Its dates are relative
to when it was seeded, so `--rebuild` after a few weeks keeps "the last 30
days" full. `--explain` prints, per page, the slowest SQL statements with
their query plans.
"""

import argparse
import bisect
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from array import array
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from capture import create_app  # noqa: E402
from capture.cli import seed_demo  # noqa: E402
from capture.domain.vocabulary import DEFAULT_INTENT  # noqa: E402
from capture.extensions import db  # noqa: E402
from capture.models import Form, User  # noqa: E402

DATA = ROOT / "bench" / ".data"
BENCH_USER = "bench@leadgate.test"
BENCH_PASSWORD = "bench-password"  # noqa: S105 (a throwaway login in a throwaway file)
SUBMISSIONS_PER_LEAD = 3
YEARS = 3
SPAN = YEARS * 365 * 86400  # seconds of history
SLOT = 15 * 60
BATCH = 20_000  # leads per transaction (with about 60,000 submissions)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite

# The forms leads come in through: the two demo forms and four more.
EXTRA_FORMS = [
    ("guide-pricing", "gate", "Pricing guide: what lead capture costs", ["role", "timeline"]),
    ("newsletter", "newsletter", "The monthly newsletter", []),
    ("quote", "contact", "Ask for a quote", ["phone", "budget", "timeline", "need"]),
    ("webinar", "gate", "Webinar: qualifying leads in ten minutes", ["role"]),
]
# How often each form is a lead's first (and a later submission's) form.
FORM_WEIGHTS = {
    "demo-contact": 30,
    "demo-ebook": 22,
    "guide-pricing": 15,
    "newsletter": 15,
    "quote": 10,
    "webinar": 8,
}
BENCH_FORM = "demo-contact"  # the form the `form=` case filters on

CHANNEL_WEIGHTS = {
    "paid": 25,
    "search": 20,
    "direct": 15,
    "social": 12,
    "email": 10,
    "referral": 8,
    "event": 7,
    "manual": 3,
}
# Per channel: (utm_source, utm_medium, referrer host, click id, weight), and campaigns.
TOUCHES = {
    "paid": [
        ("google", "cpc", "google.nl", "gclid", 50),
        ("linkedin", "paid-social", "linkedin.com", "li_fat_id", 25),
        ("bing", "cpc", "bing.com", "msclkid", 15),
        ("facebook", "paid-social", "facebook.com", "fbclid", 10),
    ],
    "search": [
        (None, None, "google.nl", None, 62),
        (None, None, "google.com", None, 12),
        (None, None, "bing.com", None, 14),
        (None, None, "duckduckgo.com", None, 8),
        (None, None, "ecosia.org", None, 4),
    ],
    "direct": [(None, None, None, None, 1)],
    "social": [
        ("linkedin", "social", "linkedin.com", None, 55),
        ("facebook", "social", "facebook.com", None, 15),
        ("instagram", "social", "instagram.com", None, 10),
        (None, None, "linkedin.com", None, 12),
        (None, None, "x.com", None, 8),
    ],
    "email": [
        ("newsletter", "email", None, None, 70),
        ("drip", "email", None, None, 20),
        ("mailchimp", "email", None, None, 10),
    ],
    "referral": [
        (None, None, "partner-ict.nl", None, 35),
        (None, None, "frankwatching.com", None, 25),
        (None, None, "g2.com", None, 20),
        ("kvk", "referral", "kvk.nl", None, 12),
        (None, None, "emerce.nl", None, 8),
    ],
    "event": [
        ("stand-qr", "qr", None, None, 60),
        ("flyer", "print", None, None, 25),
        ("badge-scan", "event", None, None, 15),
    ],
    "manual": [(None, None, None, None, 1)],
}
CAMPAIGNS = {
    "paid": ["brand-nl", "generic-leadgen", "retargeting", "ebook-promo", "competitor-terms"],
    "social": ["thought-leadership", "case-study-bakker", "webinar-promo", "retargeting-social"],
    "email": ["newsletter-oct", "newsletter-nov", "newsletter-dec", "onboarding-drip"],
    "referral": ["kvk-listing", "partner-program", "kvk-newsletter"],
}
# Events: "beurs-<year>" (the trade fair of the visit's year), else these two.
EVENT_OTHERS = ("meetup", "roadshow")
# Which tagged visits name a campaign (search, direct, plain links carry none).
CAMPAIGN_SHARE = {"paid": 1.0, "social": 0.8, "email": 1.0, "referral": 0.8, "event": 1.0}
LANDING = ["/", "/pricing", "/demo", "/blog/lead-scoring", "/e-book", "/contact"]
SITE = "https://www.example.nl"

LIST_WEIGHTS = {"opportunity": 20, "nurture": 50, "disqualified": 30}
# Disqualified: (reason, pinned by sales, what the lead must look like, weight).
DISQUALIFIED = [
    ("Too small: 2-9 employees, the minimum is 10-49", 0, ("headcount", "2-9"), 26),
    ("Too small: 1 employees, the minimum is 10-49", 0, ("headcount", "1"), 9),
    ("Sector retail is excluded", 0, ("sector", "retail"), 10),
    ("Sector education is excluded", 0, ("sector", "education"), 5),
    ("Not a buyer: role is student", 0, ("role", "student"), 12),
    ("Not a buyer: role is job-seeker", 0, ("role", "job-seeker"), 5),
    ("Disposable e-mail address (mailinator.com)", 0, ("domain", "mailinator.com"), 6),
    ("Disposable e-mail address (guerrillamail.com)", 0, ("domain", "guerrillamail.com"), 2),
    ("Wrong territory", 1, None, 7),
    ("Wrong territory: Belgium only", 1, None, 2),
    ("No budget: said next year", 1, None, 5),
    ("No budget", 1, None, 3),
    ("Competitor", 1, None, 3),
    ("Unreachable", 1, None, 3),
    ("Spam or fake", 1, None, 2),
]
OPPORTUNITY_REASONS = [
    ("Asked for contact, a demo or a quote (high intent)", 0, 60),
    ("Budget confirmed and buying within 3 months", 0, 20),
    ("Score {score} ({summary}) reaches the threshold of 150", 0, 15),
    ("Moved by hand", 1, 5),
]
NURTURE_REASONS = [
    ("A fit, not ready yet: score {score} ({summary}) is below 150", 0, 70),
    ("Qualifying questions not answered yet", 0, 27),
    ("Moved by hand", 1, 3),
]
SECTORS = ["ict", "manufacturing", "logistics", "finance", "healthcare", "wholesale", "energy"]
BANDS = ["10-49", "50-99", "100-249", "250-999", "1000+"]
ROLES = ["owner", "manager", "employee", "other"]
SURNAMES = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"]
# Which leads sales got back to: by list.
RESPONDED = {"opportunity": 0.9, "nurture": 0.55, "disqualified": 0.4}
# Costs per month in cents: (low, high); events cost most in their months.
COSTS = {"paid": (800_000, 1_500_000), "social": (200_000, 400_000), "email": (50_000, 90_000)}
EVENT_MONTHS = {3: 2_000_000, 10: 2_800_000}
EVENT_BASE = (50_000, 150_000)

CASES = [
    ("default (last 30 days)", "/sales/insights/", {}),
    ("period=this-month", "/sales/insights/", {"period": "this-month"}),
    ("period=90d", "/sales/insights/", {"period": "90d"}),
    ("custom: a year", "/sales/insights/", {"period": "custom", "since": "YEAR", "until": "TODAY"}),
    (f"90d, form={BENCH_FORM}", "/sales/insights/", {"period": "90d", "form": BENCH_FORM}),
    ("90d, channel=paid (by source)", "/sales/insights/", {"period": "90d", "channel": "paid"}),
    (
        "90d, paid, source=google (by campaign)",
        "/sales/insights/",
        {"period": "90d", "channel": "paid", "source": "google"},
    ),
    (
        "export.csv?table=channels, 90d",
        "/sales/insights/export.csv",
        {"table": "channels", "period": "90d"},
    ),
]


LEAD_COLUMNS = (
    "id, email_key, email, name, company, phone, sector, headcount, role, budget, timeline,"
    " list, reason, pinned, fit_score, engagement_score, score, score_reasons, channel,"
    " utm_source, utm_medium, utm_campaign, referrer, landing_page, source, first_form_id,"
    " first_interest_at, last_interest_at, created_at, first_response_at, outcome, outcome_at"
)
SUBMISSION_COLUMNS = (
    "id, lead_id, form_id, entered_by_id, nonce, intent, answers, click_ids, channel,"
    " utm_source, utm_medium, utm_campaign, referrer, landing_page, page_url, created_at,"
    " completed_at"
)


def insert_sql(table: str, columns: str) -> str:
    marks = ", ".join("?" * len(columns.split(",")))
    return f"insert into {table} ({columns}) values ({marks})"  # noqa: S608 (constants)


def cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return [value / total for value in out]


class Picker:
    """A weighted choice with one random number and a bisect."""

    def __init__(self, items, weights):
        self.items, self.cum = list(items), cumulative(weights)

    def __call__(self, rng: random.Random):
        return self.items[min(bisect.bisect(self.cum, rng.random()), len(self.items) - 1)]


def stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime(TIME_FORMAT)


def label(count: int) -> str:
    """1000000 -> 1m, 20000 -> 20k: part of the file name."""
    if count % 1_000_000 == 0:
        return f"{count // 1_000_000}m"
    if count % 1_000 == 0:
        return f"{count // 1_000}k"
    return str(count)


def make_app(path: Path):
    return create_app(
        {
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(path.parent),
            "DATABASE_URL": f"sqlite:///{path}",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )


def prepare(app) -> None:
    """Schema, demo forms, the extra forms and the bench user; idempotent."""
    with app.app_context():
        upgrade()
        seed_demo()
        ebook_id = db.session.scalar(db.select(Form.ebook_id).where(Form.slug == "demo-ebook"))
        for slug, kind, title, questions in EXTRA_FORMS:
            if db.session.scalar(db.select(Form.id).where(Form.slug == slug)) is None:
                db.session.add(
                    Form(
                        slug=slug,
                        kind=kind,
                        title=title,
                        questions=questions,
                        intent=DEFAULT_INTENT[kind],
                        ebook_id=ebook_id if kind == "gate" else None,
                    )
                )
        if db.session.scalar(db.select(User.id).where(User.email == BENCH_USER)) is None:
            db.session.add(
                User(
                    email=BENCH_USER,
                    role="sales",
                    password_hash=generate_password_hash(BENCH_PASSWORD),
                )
            )
        db.session.commit()
        db.engine.dispose()


class Touch:
    """Where one visit came from: the attribution columns, the source and click ids."""

    __slots__ = (
        "channel",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "referrer",
        "landing",
        "source",
        "click_ids",
    )


def touch_maker(year_of):
    pickers = {
        channel: Picker(options, [option[-1] for option in options])
        for channel, options in TOUCHES.items()
    }

    def make(rng: random.Random, channel: str, when: float) -> Touch:
        utm_source, medium, host, click, _ = pickers[channel](rng)
        touch = Touch()
        touch.channel = channel
        touch.utm_source, touch.utm_medium = utm_source, medium
        campaign = None
        if (
            channel in CAMPAIGN_SHARE
            and (utm_source or medium)
            and rng.random() < CAMPAIGN_SHARE[channel]
        ):
            if channel == "event":
                # The trade fair of the year the visit is in, or a smaller event.
                chance = rng.random()
                campaign = f"beurs-{year_of(when)}" if chance < 0.6 else EVENT_OTHERS[chance < 0.85]
            else:
                campaigns = CAMPAIGNS[channel]  # the first ones run most
                campaign = campaigns[int(rng.random() ** 1.6 * len(campaigns))]
        touch.utm_campaign = campaign
        touch.referrer = f"https://www.{host}/" if host else None
        touch.landing = None if channel == "manual" else SITE + LANDING[int(rng.random() * 6)]
        # source_of(): the utm_source, else the referring host (www. dropped).
        touch.source = utm_source or host
        touch.click_ids = f'{{"{click}": "{rng.getrandbits(64):x}"}}' if click else "{}"
        return touch

    return make


def seed(path: Path, count: int) -> None:
    """Write `count` leads, 3 submissions each on average, counters and costs."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=OFF")  # a fresh file: nothing to roll back to
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-1000000")  # 1 GB: the indexes stay in memory
    connection.execute("PRAGMA temp_store=MEMORY")
    # The lead_search (FTS5) triggers stay, as bench/sales_list.py leaves them:
    # the search index fills as the leads go in (ids in order, so it appends).
    forms = {
        slug: (form_id, kind, intent)
        for form_id, slug, kind, intent in connection.execute(
            "select id, slug, kind, intent from forms"
        )
    }
    form_slugs = list(FORM_WEIGHTS)
    form_index = {slug: number for number, slug in enumerate(form_slugs)}
    pick_form = Picker(form_slugs, FORM_WEIGHTS.values())
    pick_channel = Picker(CHANNEL_WEIGHTS, CHANNEL_WEIGHTS.values())
    web_channels = [c for c in CHANNEL_WEIGHTS if c != "manual"]
    pick_web_channel = Picker(web_channels, [CHANNEL_WEIGHTS[c] for c in web_channels])
    pick_list = Picker(LIST_WEIGHTS, LIST_WEIGHTS.values())
    pick_disqualified = Picker(DISQUALIFIED, [d[-1] for d in DISQUALIFIED])
    pick_opportunity = Picker(OPPORTUNITY_REASONS, [r[-1] for r in OPPORTUNITY_REASONS])
    pick_nurture = Picker(NURTURE_REASONS, [r[-1] for r in NURTURE_REASONS])
    user_id = connection.execute("select id from users where email = ?", (BENCH_USER,)).fetchone()
    user_id = user_id[0]

    now = float(int(time.time()))
    start = now - SPAN
    # Tallies per (slot, form, event) in one flat array; views are derived at the end.
    first_slot = int(start // SLOT)
    slots = int(now // SLOT) - first_slot + 1
    events = ("view", "contact", "qualify", "download")
    tallies = array("i", bytes(4 * slots * len(form_slugs) * len(events)))
    years = {}

    def year_of(moment: float) -> int:
        day = int(moment // 86400)
        if day not in years:
            years[day] = datetime.fromtimestamp(moment, UTC).year
        return years[day]

    def tally(moment: float, slug: str, event_index: int) -> None:
        slot = min(int(moment // SLOT), int(now // SLOT)) - first_slot
        tallies[(slot * len(form_slugs) + form_index[slug]) * 4 + event_index] += 1

    make_touch = touch_maker(year_of)
    rng = random.Random(11)
    submission_id = 0
    started = time.perf_counter()
    lead_sql = insert_sql("leads", LEAD_COLUMNS)
    submission_sql = insert_sql("submissions", SUBMISSION_COLUMNS)
    pair_count = 0
    for batch_start in range(0, count, BATCH):
        leads, submissions = [], []
        for number in range(batch_start, min(batch_start + BATCH, count)):
            lead_id = number + 1
            # Ids grow with time, as they do in production: first interest is
            # uniform over the span, in order (one stratum per lead).
            first = start + (number + rng.random()) / count * SPAN
            # 1-5 submissions; each pair of leads has 6, so the total is exact.
            if number % 2 == 0:
                pair_count = rng.randint(1, 5) if number + 1 < count else SUBMISSIONS_PER_LEAD
                submitted = pair_count
            else:
                submitted = 2 * SUBMISSIONS_PER_LEAD - pair_count
            channel = pick_channel(rng)
            touch = make_touch(rng, channel, first)
            first_slug = None if channel == "manual" else pick_form(rng)

            # The later submissions fall within a few weeks (never after now).
            times = [first]
            if submitted > 1:
                last = first + rng.expovariate(1 / (30 * 86400))
                if last > now:
                    last = first + (now - first) * rng.random()
                times += sorted(first + (last - first) * rng.random() for _ in range(submitted - 2))
                times.append(last)

            # The list and its reason, and answers that agree with the reason.
            surname = SURNAMES[number % len(SURNAMES)]
            domain = f"{surname.replace(' ', '').lower()}{number % 5000}.nl"
            sector, headcount = rng.choice(SECTORS), rng.choice(BANDS)
            role = rng.choice(ROLES) if rng.random() < 0.7 else None
            fit = rng.randint(20, 110)
            engagement = rng.randint(5, 60) + 10 * min(submitted - 1, 3)
            which = pick_list(rng)
            if which == "disqualified":
                reason, pinned, condition, _ = pick_disqualified(rng)
                if condition:
                    field, value = condition
                    if field == "headcount":
                        headcount, fit = value, rng.randint(0, 20)
                    elif field == "sector":
                        sector = value
                    elif field == "role":
                        role = value
                    else:
                        domain = value
            else:
                reasons = pick_opportunity if which == "opportunity" else pick_nurture
                reason, pinned, _ = reasons(rng)
                if which == "opportunity":
                    fit, engagement = fit + 40, engagement + 40
                if "{score}" in reason:
                    reason = reason.format(
                        score=fit + engagement, summary=f"fit {fit} + engagement {engagement}"
                    )
            email = f"person{lead_id}@{domain}"
            score_reasons = (
                f'["{headcount} employees: +{fit // 2}", "target sector {sector}: +20",'
                f' "medium intent: +20"]'
            )

            response = outcome = outcome_at = None
            if rng.random() < RESPONDED[which]:
                delay = math.exp(rng.gauss(math.log(240), 1.8)) * 60  # median 4 hours
                if first + delay < now:
                    response = first + delay
            if which == "opportunity":
                age_days = (now - first) / 86400
                if rng.random() < 0.423 * (1 - math.exp(-age_days / 60)):
                    outcome = "won" if rng.random() < 0.4 else "lost"
                    response = response or first + rng.uniform(600, 86400)
                    response = min(response, now)
                    outcome_at = response + rng.expovariate(1 / (21 * 86400))
                    if outcome_at > now:
                        outcome_at = response + (now - response) * rng.random()

            name = f"Person {lead_id} {surname}"
            company = f"{surname} {number % 9000} BV"
            phone = f"+31 6 {rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.5 else None
            first_stamp, last_stamp = stamp(times[0]), stamp(times[-1])
            leads.append(
                (
                    lead_id,
                    email,
                    email,
                    name,
                    company,
                    phone,
                    sector,
                    headcount,
                    role,
                    rng.choice(("yes", "no", "unknown", None)),
                    rng.choice(("now", "3-months", "6-months", "later", None)),
                    which,
                    reason,
                    pinned,
                    fit,
                    engagement,
                    fit + engagement,
                    score_reasons,
                    channel,
                    touch.utm_source,
                    touch.utm_medium,
                    touch.utm_campaign,
                    touch.referrer,
                    touch.landing,
                    touch.source,
                    forms[first_slug][0] if first_slug else None,
                    first_stamp,
                    last_stamp,
                    first_stamp,
                    stamp(response) if response else None,
                    outcome,
                    stamp(outcome_at) if outcome_at else None,
                )
            )

            contact = f'"email": "{email}", "name": "{name}", "company": "{company}"'
            for index, moment in enumerate(times):
                submission_id += 1
                if index == 0:
                    slug, this = first_slug, touch
                else:
                    # Coming back: half of the time the same way, else another.
                    slug = pick_form(rng)
                    same = rng.random() < 0.5 and channel != "manual"
                    this = touch if same else make_touch(rng, pick_web_channel(rng), moment)
                if slug is None:  # entered by hand: one step, no form
                    form_id, intent, completed = None, rng.choice(("high", "medium")), moment
                else:
                    form_id, kind, intent = forms[slug]
                    tally(moment, slug, 1)
                    completed = None
                    if rng.random() < 0.75:
                        completed = min(moment + rng.uniform(15, 600), now)
                        tally(completed, slug, 2)
                        if kind == "gate" and rng.random() < 0.8:
                            tally(min(completed + rng.uniform(2, 120), now), slug, 3)
                answers = (
                    f'{{{contact}, "sector": "{sector}", "headcount": "{headcount}"}}'
                    if completed
                    else f"{{{contact}}}"
                )
                submissions.append(
                    (
                        submission_id,
                        lead_id,
                        form_id,
                        None if form_id else user_id,
                        f"seed{submission_id:028d}",
                        intent,
                        answers,
                        this.click_ids,
                        this.channel,
                        this.utm_source,
                        this.utm_medium,
                        this.utm_campaign,
                        this.referrer,
                        this.landing,
                        this.landing,
                        stamp(moment),
                        stamp(completed) if completed else None,
                    )
                )
        connection.execute("begin")
        connection.executemany(lead_sql, leads)
        connection.executemany(submission_sql, submissions)
        connection.execute("commit")
        done = batch_start + len(leads)
        rate = done / (time.perf_counter() - started)
        print(
            f"\rseeded {done:,} leads, {submission_id:,} submissions ({rate:,.0f} leads/s)", end=""
        )
        sys.stdout.flush()
    print()

    # Views: about 8 per contact step sent, and a few in quiet slots.
    rows = []
    total_rows = 0
    form_ids = [forms[slug][0] for slug in form_slugs]

    def flush() -> None:
        nonlocal rows, total_rows
        connection.execute("begin")
        connection.executemany(insert_sql("form_counts", "form_id, event, slot, count"), rows)
        connection.execute("commit")
        total_rows += len(rows)
        rows = []

    for slot in range(slots):
        slot_stamp = stamp((first_slot + slot) * SLOT)
        for number, form_id in enumerate(form_ids):
            base = (slot * len(form_slugs) + number) * 4
            contacts = tallies[base + 1]
            views = round(contacts * rng.uniform(6, 10)) + (rng.random() < 0.3)
            if views:
                rows.append((form_id, "view", slot_stamp, views))
            for event_index in (1, 2, 3):
                if tallies[base + event_index]:
                    rows.append(
                        (form_id, events[event_index], slot_stamp, tallies[base + event_index])
                    )
        if len(rows) >= 50_000:
            flush()
    flush()

    # Costs: the 36 months up to this one, for the channels that cost money.
    month = datetime.fromtimestamp(now, UTC).date().replace(day=1)
    costs = []
    for _ in range(YEARS * 12):
        updated = stamp(min(now, datetime(month.year, month.month, 28, tzinfo=UTC).timestamp()))
        for channel, (low, high) in COSTS.items():
            costs.append((month.isoformat(), channel, rng.randint(low, high), updated))
        event_cents = rng.randint(*EVENT_BASE) + EVENT_MONTHS.get(month.month, 0)
        costs.append((month.isoformat(), "event", event_cents, updated))
        month = (month - timedelta(days=1)).replace(day=1)
    connection.execute("begin")
    connection.executemany(
        "insert into channel_costs (month, channel, amount_cents, updated_at) values (?, ?, ?, ?)",
        costs,
    )
    # The forms have existed for the whole span.
    connection.execute("update forms set created_at = ?", (stamp(start - 86400),))
    connection.execute("commit")
    print(f"{total_rows:,} form_counts rows, {len(costs)} channel_costs rows")

    analyzing = time.perf_counter()
    connection.execute("analyze")
    connection.execute("PRAGMA journal_mode=WAL")  # as the app runs it
    connection.close()
    print(f"analyze took {time.perf_counter() - analyzing:.1f} s")


def counts(path: Path) -> tuple[int, int, int]:
    with sqlite3.connect(path) as connection:
        return tuple(
            connection.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608
            for table in ("leads", "submissions", "form_counts")
        )


def build(path: Path, count: int, rebuild: bool):
    """Return the app on a seeded file, seeding it first when needed."""
    expected = (count, SUBMISSIONS_PER_LEAD * count)
    if path.exists() and not rebuild:
        have = counts(path)
        if have[:2] == expected:
            app = make_app(path)
            prepare(app)  # newer migrations, if any
            return app
        else:
            print(f"{path} has {have[0]:,} leads and {have[1]:,} submissions: seeding afresh")
    # Seed into a scratch file and move it in place when complete, so an
    # interrupted run never leaves a half-seeded file to be reused.
    scratch = path.with_name(path.name + ".seeding")
    for leftover in (scratch, *(Path(f"{scratch}{end}") for end in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    prepare(make_app(scratch))
    seed(scratch, count)
    for old in (path, *(Path(f"{path}{end}") for end in ("-wal", "-shm"))):
        old.unlink(missing_ok=True)
    scratch.rename(path)
    print(f"seeding took {time.perf_counter() - started:.0f} s")
    return make_app(path)


def timed(client, url: str, runs: int) -> tuple[float, float, int]:
    """Warm up once, then time `runs` requests; exit on any answer but 200."""
    durations, size = [], 0
    for run in range(runs + 1):
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}, not 200")
        if run:
            durations.append(elapsed)
        size = len(body)
    durations.sort()
    p95 = durations[min(len(durations) - 1, int(round(0.95 * len(durations))) - 1)]
    return statistics.median(durations), p95, size


def explain(app, client, path: Path, url: str, top: int = 5) -> None:
    """Record the SQL of one request to `url`; print the slowest statements and plans.

    Each read is run again on its own connection and timed to its last row
    (a cursor's execute returns at the first row, so timing the request's
    calls would miss the rest).
    """
    recorded = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().lower().startswith(("select", "with")):
            recorded.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    timed_statements = []
    with sqlite3.connect(path) as connection:
        for statement, parameters in recorded:
            started = time.perf_counter()
            connection.execute(statement, parameters).fetchall()
            timed_statements.append(((time.perf_counter() - started) * 1000, statement, parameters))
        total = sum(elapsed for elapsed, _, _ in timed_statements)
        print(f"\n#### {url}: {len(recorded)} reads, {total:.0f} ms run one by one\n")
        for elapsed, statement, parameters in sorted(timed_statements, key=lambda r: -r[0])[:top]:
            print(f"{elapsed:8.1f} ms  {' '.join(statement.split())}")
            print(f"           params {parameters!r}"[:400])
            for _id, parent, _unused, detail in connection.execute(
                "explain query plan " + statement, parameters
            ):
                print(f"           plan  {parent:>3} {detail}")
            print()


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores (load average {load}); Python"
        f" {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000, help="submissions are 3x this")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true", help="seed the file afresh")
    parser.add_argument("--seed-only", action="store_true", help="seed (or check), time nothing")
    parser.add_argument("--explain", action="store_true", help="print the slowest SQL and plans")
    args = parser.parse_args()
    if args.leads < 2 or args.runs < 1:
        parser.error("--leads must be at least 2 and --runs at least 1")
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"insights-{label(args.leads)}.db"
    app = build(path, args.leads, args.rebuild)
    leads, submissions, form_counts = counts(path)
    with sqlite3.connect(path) as connection:
        newest = connection.execute("select max(first_interest_at) from leads").fetchone()[0]
    print(
        f"dataset: {leads:,} leads, {submissions:,} submissions, {form_counts:,} form_counts rows"
        f" in {path.relative_to(ROOT)} (newest lead {newest[:16]} UTC)"
    )
    print(f"machine: {machine()}")
    if args.seed_only:
        return

    client = app.test_client()
    login = client.post("/login", data={"email": BENCH_USER, "password": BENCH_PASSWORD})
    if login.status_code != 302:
        raise SystemExit(f"logging in as {BENCH_USER} answered {login.status_code}")
    today = datetime.now(ZoneInfo(app.config["LEADS_TIMEZONE"])).date()
    dates = {"TODAY": today.isoformat(), "YEAR": (today - timedelta(days=364)).isoformat()}
    urls = []
    for name, page, query in CASES:
        query = {key: dates.get(value, value) for key, value in query.items()}
        urls.append((name, f"{page}?{urlencode(query)}" if query else page))

    probe = client.get("/sales/insights/")
    if probe.status_code == 404:
        raise SystemExit("/sales/insights/ answers 404: the insights page is not there yet")

    print(f"\n{args.runs} runs each after one warm-up; times in ms\n")
    print("| what | p50 | p95 | bytes |")
    print("|---|---:|---:|---:|")
    for name, url in urls:
        p50, p95, size = timed(client, url, args.runs)
        print(f"| {name} | {p50:.0f} | {p95:.0f} | {size:,} |")
        sys.stdout.flush()
    if args.explain:
        for _name, url in urls:
            explain(app, client, path, url)


if __name__ == "__main__":
    main()
