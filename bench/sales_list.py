"""The sales list at scale: `make bench` (or python bench/sales_list.py).

Seeds 1,000,000 leads (each with a submission) into a SQLite file, then
times the incoming-leads page as a logged-in sales user: everyone's list,
the next page, and filtered searches (the figures in the README), and My
leads (the sales user's default: the opportunities they own, about 30 %).
The opportunities of the last 14 days wait for their first answer (their
response clock runs, due eight hours after they came in: about 7,900,
nearly all overdue), so every list of opportunities starts with those,
overdue and soonest due first.
Reports p50/p95 over repeated runs. The seeded file is kept (bench/.data/)
and reused by the next run; a file seeded before owners or clocks gets them.
"""

import argparse
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bs4 import BeautifulSoup  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from capture import create_app  # noqa: E402
from capture.cli import seed_demo  # noqa: E402
from capture.extensions import db  # noqa: E402
from capture.models import User  # noqa: E402

CHANNELS = ["paid", "email", "event", "social", "search", "referral", "direct"]
LISTS = ["opportunity"] * 2 + ["nurture"] * 5 + ["disqualified"] * 3
SECTORS = ["retail", "ict", "manufacturing", "logistics", "finance", "healthcare"]
BANDS = ["1", "2-9", "10-49", "50-99", "100-249", "250-999", "1000+"]
SURNAMES = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"]
# The sales team: the bench logs in as the first. Opportunities are theirs by
# turns, one in ten unassigned (nobody was available), as with owners live.
TEAM = ["bench@leadgate.test", "bas@leadgate.test", "chris@leadgate.test"]
UNASSIGNED_SHARE = 0.1


def seed(path: Path, count: int) -> None:
    """Write `count` leads and one submission each, straight into SQLite."""
    connection = sqlite3.connect(path)
    form_id = connection.execute("select id from forms where slug='demo-contact'").fetchone()[0]
    now = datetime.now(UTC)
    rng = random.Random(7)
    batch = 20_000
    for start in range(0, count, batch):
        leads, submissions = [], []
        for number in range(start, min(start + batch, count)):
            when = (now - timedelta(seconds=rng.uniform(0, 365 * 86400))).isoformat(" ")
            surname = rng.choice(SURNAMES)
            email = f"person{number}@{surname.replace(' ', '').lower()}{number % 5000}.nl"
            score = rng.randint(0, 200)
            channel = rng.choice(CHANNELS)
            leads.append(
                (
                    number + 1,
                    email,
                    email,
                    f"Person {number} {surname}",
                    f"{surname} {number % 9000} BV",
                    rng.choice(SECTORS),
                    rng.choice(BANDS),
                    rng.choice(LISTS),
                    "seeded",
                    0,
                    score // 2,
                    score - score // 2,
                    score,
                    "[]",
                    channel,
                    when,
                    when,
                    when,
                )
            )
            submissions.append(
                (
                    number + 1,
                    number + 1,
                    form_id,
                    f"seed-{number}",
                    "high",
                    "{}",
                    channel,
                    "{}",
                    when,
                )
            )
        connection.executemany(
            "insert into leads (id, email_key, email, name, company, sector, headcount, list,"
            " reason, pinned, fit_score, engagement_score, score, score_reasons, channel,"
            " first_interest_at, last_interest_at, created_at)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            leads,
        )
        connection.executemany(
            "insert into submissions (id, lead_id, form_id, nonce, intent, answers, channel,"
            " click_ids, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            submissions,
        )
        connection.commit()
        print(f"\rseeded {start + len(leads):,} leads", end="", flush=True)
    print()
    connection.execute("analyze")
    connection.commit()
    connection.close()


def give_owners(path: Path, team: list[int]) -> None:
    """Give the opportunities their owners, unless some have one already (a
    file seeded before owners is brought up to date, not seeded again)."""
    connection = sqlite3.connect(path)
    owned = "select 1 from leads where list = 'opportunity' and owner_id is not null limit 1"
    if connection.execute(owned).fetchone():
        connection.close()
        return
    rng = random.Random(11)
    ids = [row[0] for row in connection.execute("select id from leads where list = 'opportunity'")]
    owners = [
        (None if rng.random() < UNASSIGNED_SHARE else team[number % len(team)], lead_id)
        for number, lead_id in enumerate(ids)
    ]
    connection.executemany("update leads set owner_id = ? where id = ?", owners)
    connection.execute("analyze")
    connection.commit()
    connection.close()
    print(f"gave owners to {len(ids):,} opportunities")


# The opportunities that came in this recently have a running clock.
WAITING_DAYS = 14


def give_clocks(path: Path) -> None:
    """Set `respond_by` on the opportunities of the last WAITING_DAYS days, as
    their running clocks would (eight hours after they came in: the list reads
    only the lead's column), unless some have one already."""
    connection = sqlite3.connect(path)
    if connection.execute("select 1 from leads where respond_by is not null limit 1").fetchone():
        connection.close()
        return
    since = (datetime.now(UTC) - timedelta(days=WAITING_DAYS)).isoformat(" ")
    rows = connection.execute(
        "select id, first_interest_at from leads where list = 'opportunity'"
        " and first_interest_at >= ?",
        (since,),
    ).fetchall()
    due = [
        ((datetime.fromisoformat(first) + timedelta(hours=8)).isoformat(" "), lead_id)
        for lead_id, first in rows
    ]
    connection.executemany("update leads set respond_by = ? where id = ?", due)
    connection.execute("analyze")
    connection.commit()
    connection.close()
    print(f"gave running clocks to {len(due):,} opportunities")


def build(path: Path, count: int):
    fresh = not path.exists()
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(path.parent),
            "DATABASE_URL": f"sqlite:///{path}",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        seed_demo()
        hashed = generate_password_hash("bench-password")
        for email in TEAM:
            if not db.session.scalar(db.select(User.id).where(User.email == email)):
                db.session.add(User(email=email, role="sales", password_hash=hashed))
        db.session.commit()
        team = [db.session.scalar(db.select(User.id).where(User.email == e)) for e in TEAM]
        have = db.session.scalar(db.text("select count(*) from leads"))
    if fresh or have < count:
        if have:
            raise SystemExit(f"{path} has {have:,} leads; delete it to reseed {count:,}")
        seed(path, count)
    give_owners(path, team)
    give_clocks(path)
    return app


def timed(client, url: str, runs: int) -> tuple[float, float, str]:
    durations = []
    body = ""
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data(as_text=True)
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    durations.sort()
    p95 = durations[min(len(durations) - 1, int(round(0.95 * len(durations))) - 1)]
    return statistics.median(durations), p95, body


def next_page(client, url: str) -> str:
    """The "show more" link of the page at `url`."""
    page = client.get(url).get_data(as_text=True)
    return BeautifulSoup(page, "html.parser").select_one("tr.more a")["href"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / ".data" / "bench.db")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    app = build(args.db, args.leads)
    client = app.test_client()
    client.post("/login", data={"email": "bench@leadgate.test", "password": "bench-password"})

    today = datetime.now(UTC).date()
    week_ago = today - timedelta(days=7)
    loaded_at = quote((datetime.now(UTC) - timedelta(minutes=5)).isoformat())
    # Everyone's opportunities (owner=all): the rows the README's figures
    # were measured on before owners, so they stay comparable.
    everyone = "/sales/?owner=all"
    cases = [
        ("list page (opportunities, first page)", everyone),
        ("list page (nurture)", "/sales/?list=nurture"),
        ("next page (keyset cursor)", next_page(client, everyone)),
        ("filter: channel=social, warmth=warm", f"{everyone}&channel=social&warmth=warm"),
        ("search: q=jansen 4711 (a few match)", f"{everyone}&q=jansen+4711"),
        ("search: q=jansen (1 lead in 8 matches)", f"{everyone}&q=jansen"),
        ("search: q=person12345@", "/sales/?q=person12345%40&list=nurture"),
        ("filter: date range, one week", f"{everyone}&since={week_ago}&until={today}"),
        ("filter: form=demo-contact", f"{everyone}&form=demo-contact"),
        ("filter: form=demo-ebook (no leads)", f"{everyone}&form=demo-ebook"),
        # My leads: the sales user's default, the opportunities they own.
        ("my leads (the default, first page)", "/sales/"),
        ("my leads, next page", next_page(client, "/sales/")),
        ("my leads, warmth=warm", "/sales/?warmth=warm"),
        ("unassigned: owner=none", "/sales/?owner=none"),
        # Response clocks: only the overdue opportunities.
        ("overdue only (everyone's)", f"{everyone}&due=overdue"),
        ("overdue only (my leads)", "/sales/?due=overdue"),
        # The open list's poll for leads that came in since it was loaded.
        ("live banner (everyone's)", f"/sales/fresh?owner=all&loaded_at={loaded_at}"),
        ("live banner (my leads)", f"/sales/fresh?loaded_at={loaded_at}"),
    ]
    print(f"{args.leads:,} leads in {args.db}; {args.runs} runs each")
    print(f"{'case':<40} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5}")
    for name, url in cases:
        p50, p95, body = timed(client, url, args.runs)
        rows = len(BeautifulSoup(body, "html.parser").select("td.who"))
        print(f"{name:<40} {p50:>8.1f} {p95:>8.1f} {rows:>5}")


if __name__ == "__main__":
    main()
