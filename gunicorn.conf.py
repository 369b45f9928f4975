"""gunicorn settings for Leadgate: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be set from the environment; the defaults suit one small
server behind a reverse proxy (see the README's Production section).
"""

import gc
import multiprocessing
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8080')}")
# Threaded workers: a connection that sends nothing yet (idle, a browser's
# preconnect) waits in the worker's poller, not in a thread. A
# sync worker sat in recv() on it, serving no one, and a stop waited for it
# until the graceful timeout ran out.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# Two threads a worker: a client that stops half-way through sending its
# request holds a thread (gthread reads a begun request without a time
# limit; a buffering proxy in front never does that), and the other one
# goes on serving. The app's per-process caches are made for threads.
threads = int(os.environ.get("GUNICORN_THREADS", 2 if worker_class == "gthread" else 1))
# A request holds a thread, so size by CPUs (gunicorn's advice).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A worker whose main loop stops answering this long is replaced. (Sync
# workers: a request taking longer is killed; gthread lets it run.)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# A stop (a deploy, max_requests) lets requests in flight finish for this
# long; a connection still unfinished then (a client stalled mid-request)
# is cut off.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 10))
# No keep-alive: each connection closes after its answer, as with sync
# workers. A worker that is recycled (max_requests) or stopped would
# otherwise close kept-alive connections a client is just sending its next
# request on, and that post gets no answer (measured with `make load`). The
# proxy in front keeps the visitors' connections alive.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 0))
# Recycle workers now and then so slow leaks cannot build up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# The app is loaded once, before the workers are forked: a recycled worker
# starts at once instead of importing everything again (a second of CPU
# taken from the workers serving visitors). The app opens no database
# connection while loading; each worker opens its own.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() != "false"
# Leadgate logs each request as one JSON line itself (capture/web/request_log.py).
accesslog = None
errorlog = "-"
# Client addresses come through ProxyFix (LEADS_PROXY_HOPS), not gunicorn.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket defaults to one path per user, which two
# instances on one host would share; switch it on with a path of its own.
control_socket_disable = "GUNICORN_CONTROL_SOCKET" not in os.environ
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "gunicorn.ctl")


def pre_fork(server, worker):
    """Freeze what the master loaded before each worker is forked from it.

    The worker's garbage collections then skip those objects (the app, its
    modules), so they take less time and leave the shared memory pages
    unwritten (Python's gc.freeze advice for servers that fork).
    """
    gc.freeze()


def on_starting(server):
    """Refuse to serve without LEADS_BASE_URL: every link Leadgate e-mails or
    posts is built on it (capture/web/base_url.py; the app checks its form).
    Read as the app reads it: the environment, then `.env`."""
    from dotenv import dotenv_values

    name = "LEADS_BASE_URL"
    raw = os.environ[name] if name in os.environ else dotenv_values(ROOT / ".env").get(name)
    if not (raw or "").strip():
        raise RuntimeError(
            "LEADS_BASE_URL is not set. Set it to the address people reach Leadgate at,"
            " e.g. LEADS_BASE_URL=https://leads.example.nl: links in e-mails, webhooks"
            " and the embed snippet are built on it."
        )


def post_worker_init(worker):
    """On SIGTERM, write the counts this worker gathered (form views, embed showings) at once.

    It would write them when it exits, but a connection stalled mid-request
    can keep it past the graceful timeout, and then it is killed (SIGKILL).
    (A gthread worker's main loop takes the signal at once; a sync worker
    blocked reading a connection would not run this until it read.)
    """
    # Only when Leadgate is the app (not bench/minimal_app.py): importing
    # `capture` adds its database event hooks to every engine.
    tallies = sys.modules.get("capture.db.tallies")
    if tallies is None:
        return
    stop = worker.handle_exit  # gunicorn's own: finish what runs, then exit

    def handle_term(signum, frame):
        stop(signum, frame)
        tallies.stop_gathering()

    signal.signal(signal.SIGTERM, handle_term)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn set it


def worker_exit(server, worker):
    """Write the counts a worker gathered before its interpreter shuts down.

    Shutting down waits for every thread first, one stalled on a half-sent
    request too (a worker recycled by max_requests), and the exit's own
    write comes after that wait.
    """
    tallies = sys.modules.get("capture.db.tallies")
    if tallies is not None:
        tallies.stop_gathering()
