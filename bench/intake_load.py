"""Nothing is lost: whole submissions of the hosted forms under load, a killed
worker and a database outage, checked in the database afterwards.

Usage, from a fresh clone after `make test` created .venv:

    make load                                       # the first line below
    .venv/bin/python bench/intake_load.py --db sqlite
    .venv/bin/python bench/intake_load.py --db postgresql
    .venv/bin/python bench/intake_load.py --db sqlite --kill-worker --submissions 3000
    .venv/bin/python bench/intake_load.py --db postgresql --outage --submissions 3000

Options: --submissions (10000), --visitors (32 threads), --workers (gunicorn's
WEB_CONCURRENCY, 4), --patience (seconds a visitor keeps sending a failed post
again, 60), --double-every (every Nth submission double-clicks each post, 50;
0: none), --outage-seconds (SQLite 25, PostgreSQL 5), --pg-server
(postgres@127.0.0.1:5432, trust auth), --keep (keep the temp folder).

It starts gunicorn with the repo's gunicorn.conf.py on a free port against a
fresh database, a SQLite file in a temp folder or a PostgreSQL database
`leadgate_load_<pid>` (created and dropped here), after `flask --app wsgi
init-db` and `seed-demo`. Rate limits and the time-trap are off: every visitor
is 127.0.0.1, and a fast one. Each of the `--visitors` threads opens a demo form
(`demo-contact` or `demo-ebook`), posts the contact step with a unique e-mail
address, then the qualifying step. A submission is acknowledged when the
visitor is shown the done step. A post that gets no answer or a 5xx is sent
again unchanged (the same token), as a person told "please try again" would.

`--kill-worker` kills one gunicorn worker (SIGKILL) halfway. `--outage` makes
the database unavailable halfway: PostgreSQL refuses new connections and its
open ones are terminated; on SQLite another connection holds the write lock
past the app's busy timeout. After the load, one visitor posts each step into
a second, quiet outage and sends the same post again once it is over.

Checked straight in the database: every acknowledged e-mail has exactly one
lead with exactly one, completed, submission; no duplicate lead; no lead
without a submission; the form counters agree with the submissions. No 5xx
answers (an outage allows 503, never 500). Exits 1 when a check fails, and
then keeps the temp folder (the SQLite file, gunicorn.log).
"""

import argparse
import contextlib
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from visitors import (  # noqa: E402
    Browser,
    Tickets,
    Visit,
    contact_answers,
    form_inputs,
    qualify_answers,
    step_shown,
    submit_whole_form,
    visitor_email,
)

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SLUGS = ("demo-contact", "demo-ebook")
# capture/extensions.py sets PRAGMA busy_timeout=10000: a writer waits this
# long for the write lock, then fails with "database is locked".
SQLITE_BUSY_TIMEOUT = 10
# SQLite: two rounds of writers giving up, then the lock is released.
OUTAGE_SECONDS = {"sqlite": 2 * SQLITE_BUSY_TIMEOUT + 5, "postgresql": 5}
SECRET_KEY = "leadgate-load-test-secret-key"  # noqa: S105 (signs forms of a throwaway database)


@dataclass
class Database:
    kind: str  # "sqlite" or "postgresql"
    url: str  # the app's DATABASE_URL
    path: Path | None = None  # the SQLite file
    name: str = ""  # the PostgreSQL database
    server: str = ""  # PostgreSQL's user@host:port

    def dsn(self, name: str = "") -> str:
        return f"postgresql://{self.server}/{name or self.name}"


@dataclass
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class Fault:
    """What was done to the server midway, and when (seconds since the load began)."""

    what: str
    began: float | None = None
    ended: float | None = None
    notes: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


@dataclass
class LoadRun:
    """Everything one run saw, for the checks and the summary."""

    mode: str  # "normal", "kill-worker" or "outage"
    visits: list[Visit]
    started: float  # time.monotonic() when the first visitor began
    elapsed: float
    fault: Fault
    log_path: Path
    workers_at_end: int
    checks: list[Check] = field(default_factory=list)  # made while the server ran


# --- the database ----------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(kind: str, workdir: Path, pg_server: str):
    """Yield an empty Database; a PostgreSQL one is dropped again afterwards."""
    if kind == "sqlite":
        path = workdir / "leadgate.db"
        yield Database(kind, f"sqlite:///{path}", path=path)
        return
    name = f"leadgate_load_{os.getpid()}"
    # Only ever this name: the same server holds test*, root and postgres.
    assert name.startswith("leadgate_load_")
    database = Database(
        kind, f"postgresql+psycopg://{pg_server}/{name}", name=name, server=pg_server
    )
    with psycopg.connect(database.dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database
    finally:
        with psycopg.connect(database.dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_environment(database: Database, workdir: Path, port: int, workers: int) -> dict:
    """The environment for flask and gunicorn: this database, no rate limit, no time-trap.

    Notifications are switched off explicitly, so that a developer's `.env`
    (which the app loads without overriding) cannot send real mail.
    """
    env = {**os.environ}
    for name in ("GUNICORN_BIND", "TEST_DATABASE_URL"):
        env.pop(name, None)
    env.update(
        PORT=str(port),
        LEADS_BASE_URL=f"http://127.0.0.1:{port}",
        WEB_CONCURRENCY=str(workers),
        LEADGATE_INSTANCE=str(workdir),
        DATABASE_URL=database.url,
        SECRET_KEY=SECRET_KEY,
        LEADS_MIN_FILL_SECONDS="0",
        RATELIMIT_ENABLED="false",
        RATELIMIT_STORAGE_URI="memory://",
        LEADS_REQUEST_LOG="false",
        LEADS_NOTIFY_EMAIL="",
        LEADS_SMTP_HOST="",
        LEADS_WEBHOOK_URL="",
    )
    return env


def prepare_database(env: dict) -> None:
    """Create the schema and the demo forms, as a deploy would."""
    for command in ("init-db", "seed-demo"):
        done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "flask", "--app", "wsgi", command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"flask {command} failed:\n{done.stdout}{done.stderr}")


def _fetch(database: Database, query: str) -> list[tuple]:
    if database.kind == "sqlite":
        with contextlib.closing(sqlite3.connect(database.path)) as connection:
            return connection.execute(query).fetchall()
    with psycopg.connect(database.dsn()) as connection:
        return connection.execute(query).fetchall()


def stored_leads(database: Database) -> dict[str, list[tuple[int, int]]]:
    """email_key -> one (submissions, completed submissions) per lead with that key."""
    rows = _fetch(
        database,
        "SELECT l.email_key, COUNT(s.id), COUNT(s.completed_at)"
        " FROM leads l LEFT JOIN submissions s ON s.lead_id = l.id"
        " GROUP BY l.id, l.email_key",
    )
    leads: dict[str, list[tuple[int, int]]] = {}
    for key, submissions, completed in rows:
        leads.setdefault(key, []).append((submissions, completed))
    return leads


def counters_and_submissions(database: Database) -> tuple[Counter, int, int]:
    """The form counters' totals per event; the form submissions, all and completed."""
    counters = Counter(
        dict(_fetch(database, "SELECT event, SUM(count) FROM form_counts GROUP BY event"))
    )
    ((submissions, completed),) = _fetch(
        database,
        "SELECT COUNT(*), COUNT(completed_at) FROM submissions WHERE form_id IS NOT NULL",
    )
    return counters, submissions, completed


@contextlib.contextmanager
def database_outage(database: Database):
    """Make the database unavailable to the app while the block runs.

    PostgreSQL: new connections are refused and the app's open ones are
    terminated. SQLite: another connection holds the write lock (in WAL mode
    readers go on; writers wait the busy timeout, then fail).
    """
    if database.kind == "sqlite":
        locker = sqlite3.connect(database.path, timeout=60, isolation_level=None)
        with contextlib.closing(locker):
            locker.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                locker.execute("ROLLBACK")
        return
    with psycopg.connect(database.dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{database.name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database.name,),
        )
        try:
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{database.name}" ALLOW_CONNECTIONS true')


# --- the server ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_gunicorn(env: dict, log_path: Path):
    """Start gunicorn with the repo's config; yield its master process once it answers."""
    # Its own control socket: the default (~/.gunicorn/gunicorn.ctl) is shared
    # by every gunicorn of this user, another engineer's test run included.
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    command += ["--control-socket", str(log_path.parent / "gunicorn.ctl"), "wsgi:app"]
    with open(log_path, "w") as log:
        master = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
        try:
            wait_until_healthy(int(env["PORT"]), master)
            yield master
        finally:
            master.send_signal(signal.SIGTERM)  # graceful: workers finish their request
            try:
                master.wait(timeout=60)
            except subprocess.TimeoutExpired:
                master.kill()
                master.wait()


def wait_until_healthy(port: int, master: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if master.poll() is not None:
            raise RuntimeError("gunicorn exited while starting: see gunicorn.log")
        if Browser(HOST, port, timeout=5).request("get", "GET", "/healthz").status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not become healthy")


def worker_pids(master_pid: int) -> set[int]:
    """The master's child processes: its workers."""
    children = set()
    for task in Path(f"/proc/{master_pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children.update(int(pid) for pid in (task / "children").read_text().split())
    return children


def kill_a_worker(master_pid: int, workers: int, fault: Fault, started: float) -> None:
    """SIGKILL one worker (busy: every worker is, under this load) and wait for
    the master to replace it."""
    before = worker_pids(master_pid)
    victim = random.choice(sorted(before))
    os.kill(victim, signal.SIGKILL)
    fault.began = time.monotonic() - started
    fault.notes.append(f"killed worker {victim} at {fault.began:.1f} s")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and fault.ended is None:
        now = worker_pids(master_pid)
        if victim not in now and len(now) >= workers and now - before:
            fault.ended = time.monotonic() - started
            fault.notes.append(
                f"replaced by worker {min(now - before)} after {fault.ended - fault.began:.1f} s"
            )
        time.sleep(0.05)
    fault.checks.append(
        Check(
            "the master replaced the killed worker",
            fault.ended is not None,
            "no new worker within 30 s",
        )
    )


def hold_outage(database: Database, seconds: float, fault: Fault, started: float) -> None:
    with database_outage(database):
        fault.began = time.monotonic() - started
        time.sleep(seconds)
    fault.ended = time.monotonic() - started
    fault.notes.append(f"database unavailable from {fault.began:.1f} s to {fault.ended:.1f} s")


# --- the load --------------------------------------------------------------------


def run_visitors(args, port: int, run: str, midway=None) -> tuple[list[Visit], float, float]:
    """Make `args.submissions` whole submissions with `args.visitors` threads.

    `midway(started)` runs in its own thread once half of them were handed
    out. Returns the visits, when the load started (time.monotonic()) and how
    long it took.
    """
    tickets, visits, lock = Tickets(args.submissions), [], threading.Lock()

    def visitor() -> None:
        browser, spare = Browser(HOST, port), Browser(HOST, port)
        while (number := tickets.take()) is not None:
            visit = Visit(
                number,
                visitor_email(run, number),
                SLUGS[number % len(SLUGS)],
                double=bool(args.double_every) and number % args.double_every == 0,
            )
            submit_whole_form(visit, browser, spare, patience=args.patience)
            with lock:
                visits.append(visit)

    started = time.monotonic()
    threads = [threading.Thread(target=visitor, daemon=True) for _ in range(args.visitors)]
    for thread in threads:
        thread.start()
    fault_thread = None
    if midway is not None:
        while tickets.handed_out < args.submissions // 2 and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        fault_thread = threading.Thread(target=midway, args=(started,), daemon=True)
        fault_thread.start()
    report_progress(threads, visits, args.submissions, started)
    if fault_thread is not None:
        fault_thread.join()
    return visits, started, time.monotonic() - started


def report_progress(threads, visits: list[Visit], total: int, started: float) -> None:
    """Print a line every ten seconds until the visitors are done."""
    last = time.monotonic()
    while any(thread.is_alive() for thread in threads):
        time.sleep(0.2)
        if time.monotonic() - last >= 10:
            last = time.monotonic()
            acknowledged = sum(v.acknowledged for v in visits)
            print(
                f"  {last - started:6.1f} s: {len(visits)}/{total} submissions,"
                f" {acknowledged} acknowledged",
                file=sys.stderr,
            )
    for thread in threads:
        thread.join()


def retry_across_outage(port: int, database: Database, run: str) -> list[Check]:
    """A visitor posts a step while the database is down, gets 503, and sends the
    same post again afterwards: acknowledged, and stored once. For each step.

    Run after the load, with no other traffic, so that the answer during the
    outage is this visitor's own.
    """
    checks = []
    for number, step in ((900001, "contact"), (900002, "qualify")):
        browser, email = Browser(HOST, port), visitor_email(run, number)
        page = browser.request("get", "GET", "/f/demo-contact")
        action, fields = form_inputs(page.body)
        fields.update(contact_answers(number), email=email)
        if step == "qualify":
            answer = browser.request("contact", "POST", action, fields)
            action, fields = form_inputs(answer.body)
            fields.update(qualify_answers(number))
        with database_outage(database):
            during = browser.request(step, "POST", action, fields)
        again = browser.request(step, "POST", action, fields)
        done = again
        if step_shown(again) == "qualify":
            action, fields = form_inputs(again.body)
            fields.update(qualify_answers(number))
            done = browser.request("qualify", "POST", action, fields)
        stored = stored_leads(database).get(email)
        checks.append(
            Check(
                f"{step} step posted during an outage: 503; the same post again afterwards:"
                " acknowledged, stored once",
                during.status == 503 and step_shown(done) == "done" and stored == [(1, 1)],
                f"during: {during.status or during.error} after {during.ms:.0f} ms;"
                f" again: {again.status} {step_shown(again)}; stored {stored}",
            )
        )
    return checks


def run_load(args, database: Database, workdir: Path) -> LoadRun:
    """Prepare the database, serve it with gunicorn, run the visitors and the fault."""
    mode = "kill-worker" if args.kill_worker else "outage" if args.outage else "normal"
    port, run = free_port(), f"{random.randrange(16**6):06x}"
    env = app_environment(database, workdir, port, args.workers)
    prepare_database(env)
    fault, log_path, checks = Fault(mode), workdir / "gunicorn.log", []
    with running_gunicorn(env, log_path) as master:
        if args.kill_worker:

            def midway(started):
                kill_a_worker(master.pid, args.workers, fault, started)

        elif args.outage:
            seconds = args.outage_seconds or OUTAGE_SECONDS[database.kind]

            def midway(started):
                hold_outage(database, seconds, fault, started)

        else:
            midway = None
        visits, started, elapsed = run_visitors(args, port, run, midway)
        if args.outage:
            checks += retry_across_outage(port, database, run)
        workers_at_end = len(worker_pids(master.pid))
    return LoadRun(mode, visits, started, elapsed, fault, log_path, workers_at_end, checks)


# --- the checks ------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def latencies(milliseconds: list[float]) -> str:
    return (
        f"p50 {percentile(milliseconds, 0.5):.0f} ms, p99 {percentile(milliseconds, 0.99):.0f} ms"
    )


def check_storage(visits: list[Visit], database: Database) -> tuple[list[Check], dict]:
    """Compare what the visitors were shown with what the database holds."""
    leads = stored_leads(database)
    acknowledged = {v.email for v in visits if v.acknowledged}
    once = {email for email in acknowledged if leads.get(email) == [(1, 1)]}
    lost = {email for email in acknowledged if email not in leads}
    wrong = sorted(acknowledged - once - lost)  # stored, but not as one completed submission
    duplicated = sorted(key for key, rows in leads.items() if len(rows) > 1 or rows[0][0] > 1)
    half_written = sorted(key for key, rows in leads.items() if any(n == 0 for n, _ in rows))
    counters, submissions, completed = counters_and_submissions(database)
    facts = {
        "acknowledged": len(acknowledged),
        "stored once": len(once),
        "lost": len(lost),
        "duplicates": len(duplicated),
        "half-written": len(half_written),
        "unacknowledged, stored": sum(v.email in leads for v in visits if not v.acknowledged),
        "database": f"{len(leads)} leads, {submissions} submissions, {completed} completed;"
        f" counters {dict(sorted(counters.items()))}",
    }
    checks = [
        Check(
            "every acknowledged submission is stored exactly once, completed",
            once == acknowledged,
            f"{len(once)} of {len(acknowledged)}; lost {sorted(lost)[:3]}; wrong {wrong[:3]}",
        ),
        Check("no duplicate leads or submissions", not duplicated, str(duplicated[:3])),
        Check("no lead without a submission", not half_written, str(half_written[:3])),
        Check(
            "the form counters agree with the submissions (same transaction)",
            counters["contact"] == submissions and counters["qualify"] == completed,
            f"contact {counters['contact']} for {submissions} submissions,"
            f" qualify {counters['qualify']} for {completed} completed",
        ),
    ]
    return checks, facts


def check_answers(load: LoadRun) -> tuple[list[Check], dict]:
    """Status codes, connection errors and double posts, as the visitors saw them."""
    visits = load.visits
    answers = [a for v in visits for a in v.answers]
    statuses = Counter(a.status for a in answers if a.status is not None)
    server_errors = {status: n for status, n in statuses.items() if status >= 500}
    no_answer = Counter(f"{a.kind} {a.error}" for a in answers if a.status is None)
    gave_up = Counter(v.gave_up for v in visits if not v.acknowledged)
    checks = []
    if load.mode == "outage":
        checks.append(
            Check(
                "during the outage the server answers 503, never another 5xx",
                statuses[503] > 0 and set(server_errors) <= {503},
                f"5xx: {server_errors or 'none'}",
            )
        )
        got_503 = [v for v in visits if any(a.status == 503 for a in v.answers)]
        checks.append(
            Check(
                "visitors who got a 503 sent the same post again and were acknowledged",
                all(v.acknowledged for v in got_503),
                f"{sum(v.acknowledged for v in got_503)} of {len(got_503)}",
            )
        )
        answered = [a.started + a.ms / 1000 - load.started for a in answers if a.status == 503]
        if answered:
            load.fault.notes.append(
                f"{len(got_503)} visitors got {len(answered)} 503s,"
                f" answered from {min(answered):.1f} s to {max(answered):.1f} s"
            )
    else:
        checks.append(Check("no 5xx answers", not server_errors, f"5xx: {server_errors}"))
    if load.mode == "normal":
        checks.append(
            Check(
                "every submission acknowledged, every request answered",
                not gave_up and not no_answer,
                f"not acknowledged: {dict(gave_up)}; no answer: {dict(no_answer)}",
            )
        )
    doubles = [v for v in visits if v.double]
    uneven = [
        v.email
        for v in doubles
        if any(step_shown(a) == "contact" for a in v.answers if a.kind != "get")
        or any(a.status not in (200, None) and not a.failed for a in v.answers)
    ]
    checks.append(
        Check(
            "double posts (each post sent twice at once) both show the next step",
            not uneven,
            f"{len(doubles)} double-posted; answered otherwise: {uneven[:3]}",
        )
    )
    posts = [a.ms for a in answers if a.kind != "get" and a.status is not None]
    gets = [a.ms for a in answers if a.kind == "get" and a.status is not None]
    facts = {
        "statuses": dict(sorted(statuses.items())),
        "5xx": sum(server_errors.values()),
        "no answer": dict(no_answer) or 0,
        "sent again": sum(v.resent for v in visits),
        "double-posted": len(doubles),
        "gave up": dict(gave_up) or 0,
        "post latency": latencies(posts),
        "get latency": latencies(gets),
    }
    return checks, facts


def check_after_kill(load: LoadRun) -> list[Check]:
    """Later requests succeed: the submissions begun after the replacement came up."""
    if load.mode != "kill-worker" or load.fault.ended is None:
        return []
    later = [v for v in load.visits if v.answers[0].started - load.started > load.fault.ended]
    return [
        Check(
            "the submissions begun after the replacement were all acknowledged",
            bool(later) and all(v.acknowledged for v in later),
            f"{sum(v.acknowledged for v in later)} of {len(later)}",
        )
    ]


def gunicorn_log_facts(log_path: Path) -> str:
    text = log_path.read_text(errors="replace")
    return (
        f"{text.count('Booting worker')} workers booted (recycled every ~2000 requests),"
        f" {text.count('Error handling request')} requests failed inside gunicorn,"
        f" {text.count('database unavailable')} 'database unavailable' logged,"
        f" {text.count('WORKER TIMEOUT')} worker timeouts"
    )


def first_failed_request(log_path: Path) -> str:
    """gunicorn's report of the first request that escaped the app (it answered 500)."""
    text = log_path.read_text(errors="replace")
    start = text.find("Error handling request")
    return text[start : start + 4000] if start >= 0 else ""


# --- the report ------------------------------------------------------------------


def print_summary(load: LoadRun, answers: dict, storage: dict) -> None:
    acknowledged = storage["acknowledged"]
    rows = [
        ("submissions", len(load.visits)),
        ("acknowledged", acknowledged),
        ("stored exactly once", storage["stored once"]),
        ("lost", storage["lost"]),
        ("duplicates", storage["duplicates"]),
        ("half-written leads", storage["half-written"]),
        ("5xx", answers["5xx"]),
        ("HTTP statuses", answers["statuses"]),
        ("no answer (connection)", answers["no answer"]),
        ("posts failed, sent again", answers["sent again"]),
        ("double-posted submissions", answers["double-posted"]),
        ("not acknowledged", answers["gave up"]),
        ("unacknowledged, stored", storage["unacknowledged, stored"]),
        ("throughput", f"{acknowledged / load.elapsed:.1f} submissions/s in {load.elapsed:.1f} s"),
        ("POST latency", answers["post latency"]),
        ("GET latency", answers["get latency"]),
        ("database", storage["database"]),
        ("gunicorn", f"{gunicorn_log_facts(load.log_path)}; {load.workers_at_end} at the end"),
    ]
    if load.fault.notes:
        rows.append((load.mode, "; ".join(load.fault.notes)))
    print()
    for name, value in rows:
        print(f"  {name:<27} {value}")
    print()


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="leadgate-load-"))
    mode = "--kill-worker" if args.kill_worker else "--outage" if args.outage else "normal"
    print(
        f"Leadgate intake load on {args.db}: {args.submissions} submissions by"
        f" {args.visitors} visitors, {args.workers} gunicorn workers, {mode} ({workdir})"
    )
    with fresh_database(args.db, workdir, args.pg_server) as database:
        load = run_load(args, database, workdir)
        storage_checks, storage = check_storage(load.visits, database)
    answer_checks, answers = check_answers(load)
    checks = storage_checks + answer_checks + load.fault.checks + check_after_kill(load)
    checks += load.checks
    print_summary(load, answers, storage)
    for check in checks:
        detail = f": {check.detail}" if check.detail and not check.passed else ""
        print(f"  [{'ok' if check.passed else 'FAIL'}] {check.name}{detail}")
    failed = [check for check in checks if not check.passed]
    if failed:
        report = first_failed_request(load.log_path)
        if report:
            print(f"\nThe first request that failed inside gunicorn:\n{report}")
        print(f"\nFAILED: {len(failed)} check(s). Kept {workdir}")
        return 1
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\nAll checks passed.")
    return 0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--visitors", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's WEB_CONCURRENCY")
    faults = parser.add_mutually_exclusive_group()
    faults.add_argument("--kill-worker", action="store_true", help="SIGKILL a worker halfway")
    faults.add_argument("--outage", action="store_true", help="the database down halfway")
    parser.add_argument("--outage-seconds", type=float, default=0, help="SQLite 25, PG 5")
    parser.add_argument("--patience", type=float, default=60, help="seconds of sending again")
    parser.add_argument("--double-every", type=int, default=50, help="0: no double posts")
    parser.add_argument("--pg-server", default="postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
