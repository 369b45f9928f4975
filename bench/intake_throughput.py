"""Intake throughput: Leadgate against a minimal Flask app, both under gunicorn.

`python bench/intake_throughput.py --db sqlite|postgresql` starts, one after
the other and with the same gunicorn.conf.py and worker count, the minimal
app (bench/minimal_app.py: a signed form in two steps, one row inserted and
then completed) and Leadgate on a fresh database (`init-db` + `seed-demo`),
and drives each with N concurrent clients (threads, one HTTP connection
each) for a fixed time, in two shapes, each app doing the same requests:

- contact step only: GET /f/demo-contact, POST the contact step (2 requests);
- whole submission: the same plus POST the qualifying step (3 requests).

Posts are sent as htmx sends them from the form (`HX-Request: true`), each
with a new e-mail address (a new lead). Reports submissions/s and the p50
and p99 latency of the GETs and POSTs, and Leadgate's ratios to the
minimal app, and the server's CPU time per submission: user + system time
of every gunicorn process (the master, its workers and the workers it
reaped), read from /proc at the start and the end of the measured window
and divided by the submissions finished in it. The load client shares the
machine's cores, so throughput mostly measures the client; CPU time per
submission is the server's own cost.

Leadgate runs as in production with a sales inbox set (LEADS_NOTIFY_EMAIL
and LEADS_SMTP_HOST; nothing is sent, no worker runs: each new opportunity
gets its outbox row) and two sales people, who get the opportunities by
turns. `--notifications off` leaves the inbox unset.

`--profile N` instead runs N whole submissions through Flask's test client
under cProfile (SQLite) and prints where the time goes.
"""

import argparse
import cProfile
import html
import http.client
import io
import logging
import os
import pstats
import re
import runpy
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
SECRET_KEY = "intake-throughput-bench"  # noqa: S105 (a throw-away bench database)
SLUG = "demo-contact"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) leadgate-intake-throughput"
LEADGATE_ENV = {
    "SECRET_KEY": SECRET_KEY,
    "LEADS_MIN_FILL_SECONDS": "0",
    "RATELIMIT_ENABLED": "false",
    "LEADS_REQUEST_LOG": "false",
}
# A sales inbox, as production has: new opportunities get an outbox row.
NOTIFICATIONS_ENV = {
    "LEADS_NOTIFY_EMAIL": "sales@bakkerij.example",
    "LEADS_SMTP_HOST": "127.0.0.1",
    "LEADS_SMTP_PORT": "9",  # never dialled: no worker runs during the bench
}
SALES_PEOPLE = ("anna@bakkerij.example", "bas@bakkerij.example")
SALES_ROLE = ("--role", "sales", "--password", "bench-password")
TARGET_RATIO, TARGET_P99_MS = 0.5, 100.0

_INPUT = re.compile(r"<input\b[^>]*>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_ACTION = re.compile(r'<form\b[^>]*\baction="([^"]+)"')


def default_workers() -> int:
    """The worker count gunicorn.conf.py picks here (WEB_CONCURRENCY or 2 × CPUs + 1)."""
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]


def hidden_inputs(page: str) -> dict[str, str]:
    """name -> value of the hidden inputs of `page` (token, step, attribution)."""
    found = {}
    for tag in _INPUT.findall(page):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            found[attributes["name"]] = html.unescape(attributes.get("value", ""))
    return found


def form_action(page: str) -> str:
    match = _ACTION.search(page)
    if not match:
        raise Unexpected("no form in the page")
    return html.unescape(match.group(1))


class Unexpected(Exception):
    """A response that is not what a successful submission gets."""


# --- databases and servers -------------------------------------------------


@contextmanager
def database(kind: str, name: str, folder: Path) -> Iterator[str]:
    """Yield the DATABASE_URL of a fresh, empty database; drop it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / name}.db"
        return
    import psycopg

    # Only the benchmark's own databases are ever created or dropped.
    assert name.startswith("bench_"), name

    def admin(statement: str) -> None:
        # CREATE/DROP DATABASE must run outside a transaction, connected elsewhere.
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(statement)

    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(f"CREATE DATABASE {name}")
    try:
        yield f"{POSTGRES.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    finally:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], env: dict) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603


def wait_until_up(port: int, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    # The command name, in parentheses, may hold spaces: split after it.
    return text[text.rindex(")") + 2 :].split()


def server_cpu_seconds(master: int) -> float:
    """User + system CPU seconds of gunicorn's master `master`, its live
    workers and the workers it has reaped (max_requests recycles them)."""
    # Fields after the name: state is [0], ppid [1], utime [11], stime [12],
    # cutime [13], cstime [14] (proc(5)).
    fields = _stat_fields(master)
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            child = _stat_fields(int(entry.name))
        except (OSError, ValueError):
            continue  # gone meanwhile
        if int(child[1]) == master:
            ticks += int(child[11]) + int(child[12])
    return ticks / _TICKS


@contextmanager
def gunicorn(app: list[str], env: dict, log: Path) -> Iterator[int]:
    """Serve `app` (gunicorn arguments after the config) on a free port; yield the port."""
    with gunicorn_process(app, env, log) as (port, _master):
        yield port


@contextmanager
def gunicorn_process(app: list[str], env: dict, log: Path) -> Iterator[tuple[int, int]]:
    """Like gunicorn(), yielding the port and the master's process id."""
    port = free_port()
    # gunicorn.conf.py refuses to start without LEADS_BASE_URL, whatever the app.
    env = {**env, "PORT": str(port), "LEADS_BASE_URL": f"http://127.0.0.1:{port}"}
    command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *app]
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_up(port, server, log)
        yield port, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def worker_boots(log: Path) -> int:
    return log.read_text().count("Booting worker")


def app_env(database_url: str, workers: int, instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADS_", "RATELIMIT_"))}
    return {
        **env,
        **LEADGATE_ENV,
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": str(workers),
        "LEADGATE_INSTANCE": str(instance),
    }


# --- the clients -----------------------------------------------------------


class Client:
    """One visitor's browser: a keep-alive HTTP connection (reopened when the
    server closes it, as gunicorn.conf.py's workers do after every response)."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(self, method: str, path: str, fields: dict | None = None) -> tuple[int, str, float]:
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "en"}
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"}
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            page = response.read().decode()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        return response.status, page, (time.perf_counter() - started) * 1000


def _expect(status: int, page: str, marker: str, what: str) -> None:
    if status != 200 or marker not in page:
        raise Unexpected(f"{what}: HTTP {status}, {page[:200]!r}")


def minimal_submission(client: Client, email: str, timings: dict, whole: bool) -> None:
    status, page, ms = client.send("GET", f"/f/{SLUG}")
    _expect(status, page, 'name="token"', "GET")
    timings["GET"].append(ms)
    action = form_action(page)
    fields = {**hidden_inputs(page), "email": email, "name": "Anna Jansen"}
    status, page, ms = client.send("POST", action, fields)
    _expect(status, page, 'name="step_token"', "POST")
    timings["POST contact"].append(ms)
    if not whole:
        return
    fields = {**hidden_inputs(page), "sector": "ict", "headcount": "50-99"}
    status, page, ms = client.send("POST", action, fields)
    _expect(status, page, "Thank you", "POST qualifying step")
    timings["POST qualify"].append(ms)


def leadgate_submission(client: Client, email: str, timings: dict, whole: bool) -> None:
    status, page, ms = client.send("GET", f"/f/{SLUG}")
    _expect(status, page, 'name="token"', "GET")
    timings["GET"].append(ms)
    action = form_action(page)
    contact = {
        **hidden_inputs(page),
        "lg_trap": "",
        "email": email,
        "name": "Anna Jansen",
        "company": "Bakkerij Jansen",
        "phone": "",
        "consent": "y",
    }
    status, page, ms = client.send("POST", action, contact)
    _expect(status, page, 'name="step_token"', "POST contact step")
    timings["POST contact"].append(ms)
    if not whole:
        return
    qualify = {
        **hidden_inputs(page),
        "sector": "ict",
        "headcount": "50-99",
        "role": "",
        "budget": "",
        "timeline": "",
        "need": "",
    }
    status, page, ms = client.send("POST", action, qualify)
    _expect(status, page, "lg-done", "POST qualifying step")
    timings["POST qualify"].append(ms)


@dataclass
class Result:
    name: str
    clients: int
    seconds: float = 0.0
    submissions: int = 0
    requests_per_submission: int = 2
    errors: list[str] = field(default_factory=list)
    timings: dict[str, list[float]] = field(default_factory=dict)
    worker_boots: int = 0
    server_cpu: float = float("nan")  # CPU seconds of all server processes in the window

    @property
    def cpu_ms_per_submission(self) -> float:
        return self.server_cpu * 1000 / self.submissions if self.submissions else float("nan")

    @property
    def per_second(self) -> float:
        return self.submissions / self.seconds if self.seconds else 0.0

    def posts(self) -> list[float]:
        return [ms for what, values in self.timings.items() if "POST" in what for ms in values]


def drive(
    name: str,
    port: int,
    submit: Callable[[Client, str, dict], None],
    clients: int,
    seconds: float,
    warmup: float,
    count: int | None,
    master: int | None = None,
) -> Result:
    """Run `clients` threads doing `submit` over and over; measure after the warm-up.

    A submission counts when it finishes inside the measured window (or,
    with `count`, each thread does its share of `count` after the warm-up).
    With `master` (gunicorn's process id), the server's CPU time in the
    window is read too.
    """
    result = Result(name, clients)
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    window = {}
    tag = name.lower().replace(" ", "-")  # every run's visitors are new leads

    def visitor(number: int) -> None:
        client = Client(port)
        timings: dict[str, list[float]] = {}
        done, errors, serial = 0, [], 0
        share = None if count is None else count // clients + (number < count % clients)
        ready.wait()
        measuring = False
        while True:
            serial += 1
            email = f"{tag}-{number}-{serial}@bakkerij{number}.nl"
            scratch = {k: [] for k in ("GET", "POST", "POST contact", "POST qualify")}
            try:
                submit(client, email, scratch)
                failure = None
            except (Unexpected, OSError, http.client.HTTPException) as problem:
                failure = f"{type(problem).__name__}: {problem}"
            now = time.perf_counter()
            if not measuring:
                measuring = now >= window["start"]
                if not measuring:
                    continue
            if share is None and now > window["end"]:
                break
            if failure:
                errors.append(failure)
            else:
                done += 1
                for what, values in scratch.items():
                    timings.setdefault(what, []).extend(values)
            if share is not None and done + len(errors) >= share:
                break
        with lock:
            result.submissions += done
            result.errors += errors
            for what, values in timings.items():
                result.timings.setdefault(what, []).extend(values)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    window["start"] = time.perf_counter() + warmup
    window["end"] = window["start"] + seconds
    ready.wait()
    cpu_at_start = cpu_at_end = None
    if master is not None:
        time.sleep(max(0.0, window["start"] - time.perf_counter()))
        cpu_at_start = server_cpu_seconds(master)
        if count is None:
            time.sleep(max(0.0, window["end"] - time.perf_counter()))
            cpu_at_end = server_cpu_seconds(master)
    for thread in threads:
        thread.join()
    finished = time.perf_counter()
    if cpu_at_start is not None:
        if cpu_at_end is None:
            cpu_at_end = server_cpu_seconds(master)
        result.server_cpu = cpu_at_end - cpu_at_start
    result.seconds = seconds if count is None else finished - window["start"]
    return result


# --- the runs --------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (`share` in 0..1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def measure(args, folder: Path) -> list[Result]:
    """Start each app in turn on its own fresh database and drive it."""
    results = []
    load = dict(clients=args.clients, seconds=args.seconds, warmup=args.warmup, count=args.count)

    def shapes(app: str, submission) -> None:
        for whole in (False, True):
            name = f"{app} {'whole submission' if whole else 'contact step only'}"

            def submit(client, email, timings, whole=whole):
                submission(client, email, timings, whole)

            result = drive(name, port, submit, **load, master=master)
            result.requests_per_submission = 3 if whole else 2
            results.append(result)
            print(summary_line(result), flush=True)

    with database(args.db, "bench_minimal", folder) as url:
        env = app_env(url, args.workers, folder / "minimal")
        run([sys.executable, "bench/minimal_app.py", "init-db"], env)
        log = folder / "minimal.log"
        minimal_app = ["--pythonpath", "bench", "minimal_app:app"]
        with gunicorn_process(minimal_app, env, log) as (port, master):
            shapes("minimal", minimal_submission)
        for result in results:
            result.worker_boots = worker_boots(log)

    with database(args.db, "bench_leadgate", folder) as url:
        env = app_env(url, args.workers, folder / "leadgate")
        if args.notifications == "on":
            env |= NOTIFICATIONS_ENV
        run([str(BIN / "flask"), "--app", "wsgi", "init-db"], env)
        run([str(BIN / "flask"), "--app", "wsgi", "seed-demo"], env)
        # Two people who take leads: every opportunity gets an owner by turns.
        for person in SALES_PEOPLE:
            run([str(BIN / "flask"), "--app", "wsgi", "create-user", person, *SALES_ROLE], env)
        log = folder / "leadgate.log"
        with gunicorn_process(["wsgi:app"], env, log) as (port, master):
            shapes("Leadgate", leadgate_submission)
        for result in results[2:]:
            result.worker_boots = worker_boots(log)
    return results


def summary_line(result: Result) -> str:
    posts = result.posts()
    return (
        f"  {result.name}: {result.submissions} submissions in {result.seconds:.1f} s, "
        f"{result.per_second:.1f}/s, POST p50 {percentile(posts, 0.5):.1f} ms, "
        f"p99 {percentile(posts, 0.99):.1f} ms, {len(result.errors)} errors, "
        f"server CPU {result.cpu_ms_per_submission:.2f} ms per submission"
    )


def report(results: list[Result], args) -> bool:
    """Print the tables; return whether the targets are met."""
    print(
        f"\n{args.db}, {args.workers} gunicorn workers, {args.clients} clients, "
        f"{args.seconds:g} s measured after {args.warmup:g} s warm-up, notifications "
        f"{args.notifications}; load average {Path('/proc/loadavg').read_text().split()[0]} "
        "after the runs\n"
    )
    print(
        "| app | requests per submission | server CPU ms per submission | submissions/s "
        "| requests/s | POST p50 ms | POST p99 ms | GET p50 ms | GET p99 ms | errors |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        posts, gets = result.posts(), result.timings.get("GET", [])
        print(
            f"| {result.name} | {result.requests_per_submission} "
            f"| {result.cpu_ms_per_submission:.2f} | {result.per_second:.1f} "
            f"| {result.per_second * result.requests_per_submission:.1f} "
            f"| {percentile(posts, 0.5):.1f} | {percentile(posts, 0.99):.1f} "
            f"| {percentile(gets, 0.5):.1f} | {percentile(gets, 0.99):.1f} | {len(result.errors)} |"
        )
    print("\nPer POST (the two steps apart):\n")
    print("| app | POST | count | p50 ms | p99 ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    for result in results:
        for what, values in sorted(result.timings.items()):
            if "POST" in what and values:
                print(
                    f"| {result.name} | {what} | {len(values)} "
                    f"| {percentile(values, 0.5):.1f} | {percentile(values, 0.99):.1f} |"
                )
    met = True
    print("\nLeadgate / minimal, the same requests:\n")
    print(
        "| Leadgate run | CPU per submission ratio | submissions/s ratio "
        "| POST p99 ms | target met |"
    )
    print("| --- | ---: | ---: | ---: | --- |")
    for minimal, result in zip(results[:2], results[2:], strict=True):
        ratio = result.per_second / minimal.per_second if minimal.per_second else 0.0
        cpu_ratio = result.cpu_ms_per_submission / minimal.cpu_ms_per_submission
        p99 = percentile(result.posts(), 0.99)
        ok = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS and not result.errors
        met = met and ok
        print(
            f"| {result.name} | {cpu_ratio:.2f} | {ratio:.2f} | {p99:.1f} "
            f"| {'yes' if ok else 'no'} |"
        )
    print(
        f"\ntarget: Leadgate ≥ {TARGET_RATIO:g} × the minimal app's submissions/s and "
        f"POST p99 < {TARGET_P99_MS:g} ms, no errors"
    )
    restarts = [f"{r.name.split()[0]} {r.worker_boots - args.workers}" for r in results[1::2]]
    print(f"workers recycled during the runs (max_requests): {', '.join(restarts)}")
    for result in results:
        for error in result.errors[:3]:
            print(f"error ({result.name}): {error}")
    return met


# --- profiling -------------------------------------------------------------


def profile(
    submissions: int, top: int, stats_file: Path | None = None, notifications: bool = True
) -> None:
    """Whole submissions through Flask's test client on SQLite: first timed
    per step, then again under cProfile; prints the top costs."""
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from capture import create_app
    from capture.cli import seed_demo
    from capture.extensions import db
    from capture.models import Lead

    folder = Path(tempfile.mkdtemp(prefix="leadgate-profile-"))
    try:
        app = create_app(
            {
                "INSTANCE_PATH": str(folder),
                "DATABASE_URL": f"sqlite:///{folder}/profile.db",
                "SECRET_KEY": SECRET_KEY,
                "LEADS_MIN_FILL_SECONDS": 0,
                "RATELIMIT_ENABLED": False,
                "LEADS_REQUEST_LOG": False,
                "LEADS_BASE_URL": "http://127.0.0.1:5000",
                **(NOTIFICATIONS_ENV if notifications else {}),
            }
        )
        with app.app_context():
            upgrade()
            seed_demo()
            runner = app.test_cli_runner()
            for person in SALES_PEOPLE:
                made = runner.invoke(args=["create-user", person, *SALES_ROLE])
                assert made.exit_code == 0, made.output
        client = app.test_client()
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "en"}
        posted = {**headers, "HX-Request": "true"}
        timings: dict[str, list[float]] = {"GET": [], "POST contact": [], "POST qualify": []}

        cpu: dict[str, list[float]] = {what: [] for what in timings}

        def timed(what: str, send: Callable[[], object]):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = send()
            page = response.get_data(as_text=True)
            response.close()  # a GET's view is counted on close, as a server does
            timings[what].append((time.perf_counter() - started) * 1000)
            cpu[what].append((time.process_time() - cpu_started) * 1000)
            return response.status_code, page

        def one(email: str) -> None:
            status, page = timed("GET", lambda: client.get(f"/f/{SLUG}", headers=headers))
            _expect(status, page, 'name="token"', "GET")
            action = form_action(page)
            contact = {
                **hidden_inputs(page),
                "lg_trap": "",
                "email": email,
                "name": "Anna Jansen",
                "company": "Bakkerij Jansen",
                "phone": "",
                "consent": "y",
            }
            status, page = timed(
                "POST contact", lambda: client.post(action, data=contact, headers=posted)
            )
            _expect(status, page, 'name="step_token"', "POST contact step")
            qualify = {**hidden_inputs(page), "sector": "ict", "headcount": "50-99"}
            status, page = timed(
                "POST qualify", lambda: client.post(action, data=qualify, headers=posted)
            )
            _expect(status, page, "lg-done", "POST qualifying step")

        for number in range(50):  # warm-up: imports, template compilation, caches
            one(f"warm-{number}@bakkerij.nl")
        for values in (*timings.values(), *cpu.values()):
            values.clear()
        for number in range(submissions):
            one(f"timed-{number}@bakkerij.nl")
        with app.app_context():
            owned = db.session.scalar(
                db.select(db.func.count(Lead.id)).where(Lead.owner_id.is_not(None))
            )
        print(f"{owned} leads with an owner")
        print(f"{submissions} whole submissions through the test client, one at a time:")
        for what, values in timings.items():
            print(
                f"  {what:<13} p50 {percentile(values, 0.5):6.2f} ms, "
                f"CPU p50 {percentile(cpu[what], 0.5):6.2f} ms"
            )
        total = sum(sum(values) for values in timings.values()) / submissions
        total_cpu = sum(sum(values) for values in cpu.values()) / submissions
        print(
            f"  whole submission {total:.2f} ms on average, {total_cpu:.2f} ms CPU (this process)\n"
        )

        profiler = cProfile.Profile()
        profiler.enable()
        for number in range(submissions):
            one(f"profiled-{number}@bakkerij.nl")
        profiler.disable()
        if stats_file:
            profiler.dump_stats(stats_file)
        for order in ("cumulative", "tottime"):
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(top)
            print(text.getvalue())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20, help="measured time per run")
    parser.add_argument("--count", type=int, help="submissions per run instead of --seconds")
    parser.add_argument("--warmup", type=float, default=3, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument(
        "--notifications",
        choices=("on", "off"),
        default="on",
        help="Leadgate with a sales inbox set (production), or without",
    )
    parser.add_argument("--profile", type=int, metavar="N", help="profile N submissions instead")
    parser.add_argument("--top", type=int, default=30, help="rows of the profile to print")
    parser.add_argument("--profile-stats", type=Path, help="also save the profile (pstats)")
    args = parser.parse_args()
    if args.profile:
        logging.getLogger("alembic").setLevel(logging.WARNING)
        profile(args.profile, args.top, args.profile_stats, args.notifications == "on")
        return 0
    print(
        f"intake throughput on {args.db}: {args.workers} workers, {args.clients} clients, "
        f"notifications {args.notifications}; "
        f"load average {Path('/proc/loadavg').read_text().split()[0]} before the runs"
    )
    folder = Path(tempfile.mkdtemp(prefix="leadgate-throughput-"))
    try:
        results = measure(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    met = report(results, args)
    print(f"targets {'met' if met else 'NOT met'}")
    return 1 if any(result.errors for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
