"""Production serving: the health check, request logs, and gunicorn with the repo's config."""

import gc
import http.client
import json
import logging
import os
import runpy
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from capture import create_app
from capture.extensions import db
from capture.leads.funnel_counts import view_tally
from capture.models import Form, FormCount
from capture.web.request_log import logger as request_logger

from .support.config import base_config
from .support.visitor import Visitor

ROOT = Path(__file__).resolve().parent.parent


def test_the_health_check_answers_ok_when_the_database_does(client):
    answer = client.get("/healthz")

    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "database": "ok"}
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in answer.headers


def test_the_health_check_says_unavailable_when_the_database_is_down(tmp_path):
    unreachable = "postgresql+psycopg://leadgate@127.0.0.1:1/unreachable"
    answer = create_app(base_config(unreachable, tmp_path)).test_client().get("/healthz")

    assert answer.status_code == 503
    assert answer.get_json()["status"] == "unavailable"
    assert answer.headers["Retry-After"] == "30"


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_each_request_is_logged_as_one_json_line_without_personal_data(app, client):
    lines = Lines()
    request_logger.addHandler(lines)
    try:
        client.get("/sales/?q=anna.jansen@example.nl", headers={"Cookie": "session=secret"})
        client.get("/healthz")
    finally:
        request_logger.removeHandler(lines)

    first, second = (json.loads(line) for line in lines.lines)
    assert first["method"] == "GET" and first["path"] == "/sales/" and first["status"] == 302
    assert second["endpoint"] == "health.healthz" and second["status"] == 200
    assert isinstance(second["ms"], float)
    assert "anna" not in lines.lines[0] and "secret" not in lines.lines[0]


def test_request_logs_can_be_switched_off(tmp_path):
    app = create_app(
        {**base_config(f"sqlite:///{tmp_path}/x.db", tmp_path), "LEADS_REQUEST_LOG": False}
    )
    lines = Lines()
    request_logger.addHandler(lines)
    try:
        app.test_client().get("/healthz")
    finally:
        request_logger.removeHandler(lines)

    assert lines.lines == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# How long a test waits for gunicorn to stop: well over the graceful timeout
# gunicorn.conf.py sets (10 s), so a slow stop fails the test's own assertion
# rather than this wait.
STOP_WAIT = 60


@dataclass
class Served:
    port: int
    stderr: str = ""  # once stopped
    stop_seconds: float = 0.0


@contextmanager
def gunicorn(tmp_path, **settings):
    """The app under gunicorn with the repo's config on a SQLite file; yields
    a Served, whose stderr and stop time fill in once it stopped."""
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "LEADS_BASE_URL": f"http://127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "LEADGATE_INSTANCE": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/leadgate.db",
        **settings,
    }
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in ("init-db", "seed-demo"):
        subprocess.run([*flask, command], cwd=ROOT, env=env, check=True, capture_output=True)
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    served = Served(port)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        yield served
    finally:
        started = time.monotonic()
        server.terminate()  # a graceful stop, as a deploy or max_requests does
        served.stderr = server.communicate(timeout=STOP_WAIT)[1]
        served.stop_seconds = time.monotonic() - started


def test_gunicorn_serves_the_app_with_the_repos_config(tmp_path):
    with gunicorn(tmp_path) as served:
        answer = urllib.request.urlopen(f"http://127.0.0.1:{served.port}/healthz", timeout=2)
        assert answer.status == 200
        assert json.loads(answer.read()) == {"status": "ok", "database": "ok"}
    assert '"path":"/healthz"' in served.stderr  # the request log reaches gunicorn's stderr
    assert "Booting worker" in served.stderr


def test_gunicorn_with_the_repos_config_refuses_to_start_without_a_base_url(tmp_path):
    dotenv = ROOT / ".env"
    if dotenv.exists() and "LEADS_BASE_URL" in dotenv.read_text():
        pytest.skip("this checkout's .env sets LEADS_BASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in ("LEADS_BASE_URL", "TEST_DATABASE_URL")}
    env |= {"PORT": str(_free_port()), "LEADGATE_INSTANCE": str(tmp_path), "WEB_CONCURRENCY": "1"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/leadgate.db"
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]

    done = subprocess.run(
        gunicorn, cwd=ROOT, env=env, capture_output=True, text=True, timeout=STOP_WAIT
    )

    assert done.returncode != 0
    assert "Error: LEADS_BASE_URL is not set" in done.stderr
    assert "Booting worker" not in done.stderr


def test_what_the_master_loaded_is_frozen_before_each_worker_is_forked():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["preload_app"] is True
    gc.unfreeze()
    try:
        settings["pre_fork"](server=None, worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_worker_stopping_writes_the_views_it_gathered(tmp_path):
    with gunicorn(tmp_path, LEADS_VIEW_COUNT_SECONDS="3600") as served:
        for _ in range(5):
            page = urllib.request.urlopen(
                f"http://127.0.0.1:{served.port}/f/demo-contact", timeout=5
            )
            assert page.status == 200
        time.sleep(0.2)  # the last view is counted after its page was sent
        with sqlite3.connect(tmp_path / "leadgate.db") as database:
            written = database.execute("SELECT count(*) FROM form_counts").fetchone()[0]
        assert written == 0  # gathered in the workers, not yet written

    with sqlite3.connect(tmp_path / "leadgate.db") as database:
        views = database.execute(
            "SELECT sum(count) FROM form_counts WHERE event = 'view'"
        ).fetchone()[0]
    assert views == 5


def _open_and_forgotten_connections(port: int) -> list:
    """Connections a deploy meets: opened and silent (a browser's preconnect),
    a request cut off half-way (a visitor whose train went into a tunnel),
    and one that had an answer (a browser between two requests; closed by
    the server unless GUNICORN_KEEPALIVE is set)."""
    kept = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    kept.request("GET", "/healthz")
    assert kept.getresponse().read()
    silent = socket.create_connection(("127.0.0.1", port))
    stalled = socket.create_connection(("127.0.0.1", port))
    stalled.sendall(b"GET /f/demo-contact HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    return [kept, silent, stalled]


def test_a_stop_with_idle_and_stalled_connections_open_is_quick_and_keeps_the_views(tmp_path):
    # One worker: the stalled connection is surely on the worker holding the
    # views, and keeps it from exiting by itself until it is killed.
    with gunicorn(tmp_path, LEADS_VIEW_COUNT_SECONDS="3600", WEB_CONCURRENCY="1") as served:
        for _ in range(5):
            page = urllib.request.urlopen(
                f"http://127.0.0.1:{served.port}/f/demo-contact", timeout=5
            )
            assert page.status == 200
        connections = _open_and_forgotten_connections(served.port)
        time.sleep(0.2)  # the last view is counted after its page was sent

    for connection in connections:
        connection.close()
    # The graceful timeout (10 s) and room for a busy machine; sync workers
    # took their whole graceful timeout here (30 s) and lost the views.
    assert served.stop_seconds < 25
    with sqlite3.connect(tmp_path / "leadgate.db") as database:
        views = database.execute(
            "SELECT sum(count) FROM form_counts WHERE event = 'view'"
        ).fetchone()[0]
    assert views == 5
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["graceful_timeout"] <= 10


def _views_of(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(FormCount.count), 0))
            .join(Form, Form.id == FormCount.form_id)
            .where(Form.slug == slug, FormCount.event == "view")
        )


def test_a_tally_told_to_stop_writes_its_views_and_each_later_one_at_once(make_demo_app):
    # What a worker does on SIGTERM (gunicorn.conf.py): nothing waits for an
    # exit that a stalled connection may turn into a kill.
    app = make_demo_app(LEADS_VIEW_COUNT_SECONDS=3600)
    visitor = Visitor(app.test_client())
    visitor.open("demo-contact")
    assert _views_of(app, "demo-contact") == 0  # gathered for the hour

    view_tally(app).stop()
    written = _views_of(app, "demo-contact")
    visitor.open("demo-contact")

    assert written == 1
    assert _views_of(app, "demo-contact") == 2


def test_a_connection_the_database_dropped_does_not_fail_the_end_of_a_request(app):
    # PostgreSQL: the backend is terminated after the request's last query.
    # Rolling that connection back would raise after the answer was made
    # (a bare 500); release_session discards it instead.
    from sqlalchemy import create_engine, text

    from capture.extensions import db
    from capture.web.errors import release_session

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL: SQLite connections are not dropped by a server")
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with killer.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()

        release_session()  # must not raise

        assert db.session.execute(text("SELECT 1")).scalar_one() == 1  # a fresh connection


def test_a_process_forked_after_the_app_connected_opens_its_own_connections(app):
    # gunicorn's preload_app forks the workers from a process that loaded the app.
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        parent = db.engine.pool.checkedout()
        db.session.remove()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            with app.app_context():
                inherited = db.engine.pool.checkedin() + db.engine.pool.checkedout()
                db.session.execute(text("SELECT 1"))
                os.write(write, f"{inherited}".encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    inherited = int(os.read(read, 16) or b"-1")
    os.close(read)

    assert parent == 1
    assert inherited == 0  # the parent's pooled connection was dropped, not shared
