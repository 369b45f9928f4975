"""A real webhook receiver for the tests: a WSGI app that keeps every call."""

import threading

from werkzeug.wrappers import Request, Response


class Receiver:
    """Keeps (headers, body) of each call in `calls`; fails the first
    `failures` calls with a 503, then answers 200."""

    def __init__(self, failures: int = 0):
        self.failures, self.calls, self.lock = failures, [], threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.calls.append((dict(request.headers), request.get_data()))
            failing = len(self.calls) <= self.failures
        answer = Response("down", status=503) if failing else Response("ok", status=200)
        return answer(environ, start_response)

    @property
    def delivered(self):
        return self.calls[self.failures :]
