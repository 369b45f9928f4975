"""Simulated visitors for bench/intake_load.py: whole submissions of a hosted form over HTTP.

Only the standard library: one `http.client` connection per visitor, kept alive
(reopened whenever the server closes it), the form's fields read with a
regular expression (the app renders them; this is not a general HTML parser).
"""

import html
import http.client
import random
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

# From the product's vocabulary (PRODUCT.md): what the qualifying step accepts.
SECTORS = ("construction", "manufacturing", "logistics", "ict", "finance", "healthcare")
HEADCOUNTS = ("2-9", "10-49", "50-99", "100-249", "250-999", "1000+")
# Some visitors arrive from a campaign, as the hidden attribution fields then show.
CAMPAIGNS = (
    "",
    "utm_source=linkedin&utm_medium=social&utm_campaign=load",
    "utm_source=google&utm_medium=cpc&gclid=load-test",
)
RETRY_PAUSE = 1.0  # seconds a visitor waits before sending a failed post again

_INPUT = re.compile(r"<input\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)(?:="([^"]*)")?')
_FORM_ACTION = re.compile(r'<form\b[^>]*\baction="([^"]*)"', re.I)


@dataclass
class Answer:
    """One HTTP exchange: the status (None when the connection failed), body and timing."""

    kind: str  # "get", "contact" or "qualify"
    status: int | None
    body: str
    ms: float
    started: float  # time.monotonic() when it was sent
    error: str = ""

    @property
    def failed(self) -> bool:
        """No answer at all, or a server error: a person would send it again."""
        return self.status is None or self.status >= 500


def step_shown(answer: Answer) -> str:
    """Which step of the form the answer shows: contact, qualify, done or "" (none)."""
    if answer.status != 200:
        return ""
    if 'class="lg-done"' in answer.body:
        return "done"
    if 'name="step_token"' in answer.body:
        return "qualify"
    if 'name="token"' in answer.body:
        return "contact"
    return ""


def form_inputs(page: str) -> tuple[str, dict]:
    """Return the form's action and its inputs (name -> value) as a browser sends them.

    Checkboxes are left out (the caller ticks consent); the honeypot stays empty.
    """
    match = _FORM_ACTION.search(page)
    if match is None:
        raise ValueError("no form in the page")
    values = {}
    for tag in _INPUT.findall(page):
        attributes = {k.lower(): html.unescape(v or "") for k, v in _ATTRIBUTE.findall(tag[6:])}
        if "name" in attributes and attributes.get("type") not in ("checkbox", "radio"):
            values[attributes["name"]] = attributes.get("value", "")
    return html.unescape(match.group(1)), values


class Browser:
    """One visitor's connection to the server. Not shared between threads."""

    def __init__(self, host: str, port: int, timeout: float = 90):
        self.host, self.port, self.timeout = host, port, timeout
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def send(self, kind: str, method: str, path: str, fields: dict | None = None):
        """Send a request without reading the answer (see `receive`)."""
        body = urlencode(fields) if fields is not None else None
        headers = {"Accept": "text/html", "User-Agent": "leadgate-load/1"}
        if body is not None:
            # As the widget posts: htmx asks for the form region only.
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["HX-Request"] = "true"
        started = time.monotonic()
        try:
            self.connection.request(method, path, body=body, headers=headers)
        except OSError as error:
            self._reset()
            return Answer(kind, None, "", 0.0, started, error=type(error).__name__)
        return kind, started

    def receive(self, sent) -> Answer:
        """Read the answer to what `send` returned."""
        if isinstance(sent, Answer):  # sending already failed
            return sent
        kind, started = sent
        try:
            response = self.connection.getresponse()
            body = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self._reset()
            ms = (time.monotonic() - started) * 1000
            return Answer(kind, None, "", ms, started, error=type(error).__name__)
        if response.will_close:
            self.connection.close()  # reopened by the next request
        ms = (time.monotonic() - started) * 1000
        return Answer(kind, response.status, body, ms, started)

    def request(self, kind: str, method: str, path: str, fields: dict | None = None) -> Answer:
        return self.receive(self.send(kind, method, path, fields))

    def _reset(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)


@dataclass
class Visit:
    """What happened to one whole submission, as the visitor saw it."""

    number: int
    email: str
    slug: str
    double: bool = False  # its posts were each sent twice at the same moment
    acknowledged: bool = False  # the visitor was shown the done step
    gave_up: str = ""  # why the visitor stopped, when not acknowledged
    answers: list[Answer] = field(default_factory=list)

    @property
    def resent(self) -> int:
        """Posts sent again after a failure (connection lost or a 5xx)."""
        return sum(1 for a in self.answers if a.kind != "get" and a.failed)


def visitor_email(run: str, number: int) -> str:
    return f"load-{run}-{number:06d}@example.nl"


def contact_answers(number: int) -> dict:
    return {
        "email": "",  # filled by the caller
        "name": f"Load Visitor {number}",
        "company": f"Bench {number % 97} BV",
        "consent": "y",
    }


def qualify_answers(number: int) -> dict:
    pick = random.Random(number)
    return {"sector": pick.choice(SECTORS), "headcount": pick.choice(HEADCOUNTS)}


def _until_answered(visit: Visit, browser: Browser, kind, method, path, fields, patience):
    """Send a request, and again after each failure, for up to `patience` seconds.

    A person told "we could not send the form just now" presses the button
    again: the same form, the same token.
    """
    deadline = time.monotonic() + patience
    while True:
        answer = browser.request(kind, method, path, fields)
        visit.answers.append(answer)
        if not answer.failed or time.monotonic() >= deadline:
            return answer
        time.sleep(RETRY_PAUSE)


def _post_twice_at_once(visit: Visit, browsers, kind, path, fields) -> Answer:
    """Send the same post on two connections before reading either answer (a
    double click); return the first answer that shows a next step."""
    sent = [browser.send(kind, "POST", path, fields) for browser in browsers]
    answers = [browser.receive(s) for browser, s in zip(browsers, sent, strict=True)]
    visit.answers.extend(answers)
    return next((a for a in answers if step_shown(a)), answers[0])


def submit_whole_form(
    visit: Visit, browser: Browser, spare: Browser | None = None, patience: float = 60
) -> Visit:
    """Open the form, send the contact step, then the qualifying step.

    With `visit.double` each post is sent twice at once (on `browser` and
    `spare`); a failed post is then sent once more on its own.
    """
    query = CAMPAIGNS[visit.number % len(CAMPAIGNS)]
    path = f"/f/{visit.slug}" + (f"?{query}" if query else "")
    page = _until_answered(visit, browser, "get", "GET", path, None, patience)
    if step_shown(page) != "contact":
        visit.gave_up = f"form page {page.status or page.error}"
        return visit
    action, fields = form_inputs(page.body)
    fields.update(contact_answers(visit.number), email=visit.email)
    for kind, extra, expected in (
        ("contact", {}, "qualify"),
        ("qualify", qualify_answers(visit.number), "done"),
    ):
        fields.update(extra)
        answer = None
        if visit.double and spare is not None:
            answer = _post_twice_at_once(visit, (browser, spare), kind, action, fields)
        if answer is None or answer.failed:
            answer = _until_answered(visit, browser, kind, "POST", action, fields, patience)
        shown = step_shown(answer)
        if shown == "done":
            visit.acknowledged = True
            return visit
        if shown != expected:
            visit.gave_up = f"{kind} step answered {answer.status or answer.error} ({shown})"
            return visit
        if kind == "contact":
            action, fields = form_inputs(answer.body)
    return visit


class Tickets:
    """Hands out submission numbers to the visitor threads, one each, up to a total."""

    def __init__(self, total: int):
        self.total, self.handed_out = total, 0
        self._lock = threading.Lock()

    def take(self) -> int | None:
        with self._lock:
            if self.handed_out >= self.total:
                return None
            self.handed_out += 1
            return self.handed_out
