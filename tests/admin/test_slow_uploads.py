"""A slow admin upload holds up no visitor: the body is received before the write lock.

On SQLite a write transaction is the database's one write lock; taken before a
slow body arrived, it made visitors' posts wait out the busy timeout and fail.
"""

import http.client
import io
import socket
import threading
from urllib.parse import urlencode

from bs4 import BeautifulSoup
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from capture.demo.ebook import build_pdf
from capture.extensions import db
from capture.models import Ebook, Lead

from ..support.servers import served
from ..support.visitor import CONTACT, page_inputs

PAGE = "/admin/ebooks"
# Far above the 10 s busy timeout, so a visitor stuck behind the lock fails
# before the test gives up; the test itself ends as soon as the visitor is answered.
SAFETY_SECONDS = 30


class WatchedInput:
    """A request body that says when the app first asks for it."""

    def __init__(self, stream, asked: threading.Event):
        self._stream, self._asked = stream, asked

    def read(self, size=-1):
        self._asked.set()
        return self._stream.read(size)

    def readline(self, size=-1):
        self._asked.set()
        return self._stream.readline(size)


def watching_uploads(app, asked: threading.Event):
    """`app`, telling through `asked` when an upload's body starts being read."""

    def wsgi(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == PAGE:
            environ["wsgi.input"] = WatchedInput(environ["wsgi.input"], asked)
        return app(environ, start_response)

    return wsgi


def upload_request(client, content: bytes) -> tuple[bytes, bytes]:
    """The head and body of an admin's e-book upload, as a browser sends them."""
    token = page_inputs(client.get(PAGE).get_data(as_text=True))["csrf_token"]
    boundary, body = encode_multipart(
        {
            "csrf_token": token,
            "title": "Slow guide",
            "file": FileStorage(io.BytesIO(content), "slow.pdf", content_type="application/pdf"),
        }
    )
    head = (
        f"POST {PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Cookie: session={client.get_cookie('session').value}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode(), body


def status_of(connection: socket.socket) -> int:
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    return int(answer.split(b" ", 2)[1])


def open_contact_form(port: int) -> tuple[str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=SAFETY_SECONDS)
    connection.request("GET", "/f/demo-contact")
    html = connection.getresponse().read().decode()
    connection.close()
    action = BeautifulSoup(html, "html.parser").select_one("form[action]")["action"]
    return action, {**page_inputs(html), **CONTACT, "consent": "y"}


def post_contact_step(port: int, action: str, fields: dict) -> int | None:
    """The answer's status, or None when none came within the safety time."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=SAFETY_SECONDS)
    try:
        connection.request(
            "POST",
            action,
            urlencode(fields),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        return connection.getresponse().status
    except TimeoutError:
        return None
    finally:
        connection.close()


def test_a_visitor_is_answered_while_an_admin_upload_is_stalled_mid_body(app, client, auth):
    auth.login("admin")
    head, body = upload_request(
        client, build_pdf("Slow guide", ["A chapter."]) + b"%" + b"x" * 300_000
    )
    asked = threading.Event()

    with served(watching_uploads(app, asked)) as port:
        action, fields = open_contact_form(port)
        with socket.create_connection(("127.0.0.1", port), timeout=SAFETY_SECONDS) as upload:
            upload.sendall(head + body[: len(body) // 2])
            assert asked.wait(SAFETY_SECONDS), "the server never started reading the upload"

            # The upload stalls until the visitor has their answer.
            visitor_status = post_contact_step(port, action, fields)

            upload.sendall(body[len(body) // 2 :])
            upload_status = status_of(upload)

    assert visitor_status in (200, 303)
    assert upload_status == 302
    with app.app_context():
        assert db.session.scalar(db.select(Lead).where(Lead.email == CONTACT["email"]))
        assert db.session.scalar(db.select(Ebook).where(Ebook.title == "Slow guide"))
