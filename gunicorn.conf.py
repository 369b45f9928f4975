"""gunicorn settings for Leadgate: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be set from the environment; the defaults suit one small
server behind a reverse proxy (see the README's Production section).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8080')}")
# Sync workers: a request holds a worker, so size by CPUs (gunicorn's advice).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A request that takes longer than this is killed and its worker replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Recycle workers now and then so slow leaks cannot build up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# The app is loaded once, before the workers are forked: a recycled worker
# starts at once instead of importing everything again (a second of CPU
# taken from the workers serving visitors). The app opens no database
# connection while loading; each worker opens its own.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() != "false"
# Leadgate logs each request as one JSON line itself (capture/request_log.py).
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
