"""Real servers for the tests: a WSGI app on a free local port (browser tests,
webhook receivers) and an SMTP server keeping what it is sent (aiosmtpd)."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller
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


class Inbox:
    """aiosmtpd handler keeping every message it was given (envelopes: `rcpt_tos`, `content`)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 in a thread; yield its Inbox (port in `.port`)."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd checks it can connect
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
