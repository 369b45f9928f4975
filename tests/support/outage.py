"""A Leadgate that goes down in the middle of a visit, as in a real outage:
after `stop()` every connection to it is refused, none is still served."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import WSGIRequestHandler, make_server


class _OneRequestPerConnection(WSGIRequestHandler):
    # HTTP/1.0 closes each connection after its answer, so the browser holds no
    # kept-alive connection that a stopped server's thread would still answer.
    protocol_version = "HTTP/1.0"


class StoppableServer:
    """`wsgi_app` on 127.0.0.1 at `port`, until `stop()`."""

    def __init__(self, wsgi_app):
        self._server = make_server(
            "127.0.0.1", 0, wsgi_app, threaded=True, request_handler=_OneRequestPerConnection
        )
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self._stopped = False

    def stop(self) -> None:
        """Stop serving and close the listening socket: connections are refused from now on."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def stoppable(wsgi_app) -> Iterator[StoppableServer]:
    """Serve `wsgi_app` until the test calls `stop()` (or leaves the block)."""
    server = StoppableServer(wsgi_app)
    try:
        yield server
    finally:
        server.stop()
