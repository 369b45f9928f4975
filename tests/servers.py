"""Real HTTP servers for the browser tests: a WSGI app on a free local port."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def served(wsgi_app) -> Iterator[int]:
    """Serve `wsgi_app` on 127.0.0.1 in a thread; yield its port; stop it after."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=5)
