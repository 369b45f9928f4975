"""What the fuzz tests share: strategies for hostile input, and helpers that
drive the public form and read what was stored.

The expectations here are the app's documented rules, written out again
(not imported), so a change to a rule shows up as a failing test:

- visitor form fields drop NUL and are trimmed of surrounding whitespace
  (Python's `str.strip`) before they are checked (leads/questions.py);
- campaign tags and addresses carried in the form are kept to printable
  characters, trimmed and clipped (leads/attribution.py), at every hop;
- a spreadsheet cell that would start a formula gets a leading quote
  (sales/export.py).
"""

import itertools
import os
import re
from dataclasses import dataclass
from urllib.parse import quote_from_bytes

from bs4 import BeautifulSoup, Comment
from hypothesis import strategies as st
from markupsafe import escape

from capture.extensions import db
from capture.models import Download, Lead, Submission

from .visitor import CONTACT, page_inputs

SCALE = float(os.environ.get("LEADGATE_FUZZ_SCALE", "1"))


def examples(count: int) -> int:
    """A test's number of examples, scaled by LEADGATE_FUZZ_SCALE."""
    return max(1, round(count * SCALE))


# --- strategies -------------------------------------------------------------

# Any character a form or an address can carry: all of Unicode but lone
# surrogates (UTF-8 cannot encode them). Control characters and NUL included.
ANY_CHAR = st.characters(codec="utf-8")

# Markers: tag and attribute names no template uses. If one of these ever
# becomes a tag or an attribute, a stored value broke out of its context.
MARK = "zqx"
BREAKOUTS = (
    f"<{MARK}1>",
    f'"><{MARK}2>',
    f"'><{MARK}3>",
    f'" {MARK}4="1',
    f"' {MARK}5='1",
    f"<img src=x {MARK}6=1 onerror=alert(1)>",
    f"</textarea><{MARK}7>",
    f"</title><{MARK}8>",
    f"</script><{MARK}9>",
    f"<script>{MARK}10</script>",
    f"<svg><{MARK}11/></svg>",
    f"<!--{MARK}12-->",
    f"<![CDATA[<{MARK}13>]]>",
    f"</dd></dl><{MARK}14>",
)
PAYLOADS = (
    *BREAKOUTS,
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "{{7*7}}",
    "{% raw %}",
    "${7*7}",
    "' OR '1'='1",
    "'; DROP TABLE leads; --",
    '=HYPERLINK("http://evil.example","x")',
    "=1+1",
    "+31 20",
    "-2+3",
    "@SUM(1,2)",
    "\t=1",
    "\r=1",
    " =1",
    "＝1",
    "\u202egnp.exe",
    "\u200f\u200e",
    "\u200b",
    "\ufeff",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f\x85",
    "\u2028\u2029",
    "%00",
    "%ff",
    "&amp;",
    "&lt;",
    "&#0;",
    "\\",
    "İı",
    "ß",
    "\u0390",
    "a\u0300",
    "\U0001f600",
    "ﷺ",
    "\uffff",
)
WHITESPACE = st.text(st.sampled_from(" \t\r\n\x0b\x0c\x1c\x85\xa0\u2028\u3000"), max_size=3)


@st.composite
def long_text(draw, low: int = 150, high: int = 2100):
    """A long run of one character, around the fields' limits."""
    unit = draw(st.sampled_from(["a", "ΐ", "\U0001f600", " ", "\x00", "<", "&"]))
    return unit * draw(st.integers(low, high))


def hostile_text(max_size: int = 60):
    """Text a visitor might send: anything, payloads, their mixes, long runs."""
    return st.one_of(
        st.text(ANY_CHAR, max_size=max_size),
        st.sampled_from(PAYLOADS),
        st.lists(
            st.one_of(st.sampled_from(PAYLOADS), st.text(ANY_CHAR, max_size=8), WHITESPACE),
            max_size=6,
        ).map("".join),
        long_text(),
    )


PADDING = st.tuples(WHITESPACE, WHITESPACE, st.one_of(st.none(), st.integers(0, 3)))


def pad(value: str, padding: tuple) -> str:
    """`value` with whitespace around it and perhaps a NUL in it (from PADDING)."""
    before, after, nul_at = padding
    if nul_at is not None:
        value = value[:nul_at] + "\x00" + value[nul_at:]
    return before + value + after


def padded(inner):
    """`inner` with whitespace and NUL around (and perhaps in) it."""
    return st.builds(pad, inner, PADDING)


def marked(max_size: int = 30):
    """Hostile text holding a breakout attempt with a marker, so that an unescaped
    copy can be told apart from anything else on the page."""
    return st.builds(
        lambda head, breakout, tail: head + breakout + tail,
        hostile_text(max_size),
        st.sampled_from(BREAKOUTS),
        st.text(ANY_CHAR, max_size=5),
    )


def raw_bytes(max_size: int = 40):
    """Bytes as they may arrive in an address or a body: invalid UTF-8 included."""
    return st.one_of(
        st.binary(max_size=max_size),
        st.text(ANY_CHAR, max_size=max_size).map(lambda text: text.encode()),
        st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\x00", b"%", b"%%"]),
    )


def header_value(max_size: int = 60):
    """A header as a server hands it over: bytes read as Latin-1, no line breaks or NUL."""
    return (
        st.binary(max_size=max_size)
        .map(lambda raw: raw.replace(b"\r", b"").replace(b"\n", b"").replace(b"\x00", b""))
        .map(lambda raw: raw.decode("latin-1"))
    )


# --- the documented rules -------------------------------------------------


def typed(value: str) -> str:
    """A visitor form field as the app checks and stores it: NUL dropped, trimmed."""
    return value.replace("\x00", "").strip()


def cleaned(value: str, limit: int) -> str:
    """An attribution value as the app keeps it: printable characters, trimmed, clipped."""
    return "".join(ch for ch in value if ch.isprintable()).strip()[:limit]


def carried(value: str, limit: int) -> str | None:
    """An attribution value read from the address, carried in a hidden field, posted
    back: cleaned on each hop. Empty means not stored."""
    return cleaned(cleaned(value, limit), limit) or None


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A CSV cell as the exports write it: a would-be formula gets a leading quote."""
    return "'" + value if value.lstrip(" ").startswith(FORMULA_STARTS) else value


# --- requests ---------------------------------------------------------------


def fetch(client, method: str, path: str, **kwargs):
    """One request, read and closed as a server would (runs call_on_close)."""
    response = client.open(path, method=method, **kwargs)
    response.get_data()
    response.close()
    return response


def raw_request(client, method: str, path: bytes, query: bytes = b"", **kwargs):
    """A request whose path and query string hold any bytes, as a WSGI server
    passes them on: PATH_INFO is the percent-decoded path, QUERY_STRING the
    query as sent, both read as Latin-1."""
    query_string = query.decode("latin-1")
    uri = quote_from_bytes(path, safe="/") + ("?" + query_string if query else "")
    overrides = {
        "PATH_INFO": path.decode("latin-1"),
        "QUERY_STRING": query_string,
        "REQUEST_URI": uri,
        "RAW_URI": uri,
    }
    return fetch(client, method, "/", environ_overrides=overrides, **kwargs)


def answered(response) -> int:
    """The status, after checking it is no server error."""
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    return response.status_code


@dataclass
class FormPage:
    html: str
    inputs: dict
    action: str


def form_page(client, slug: str, query: str = "", **headers) -> FormPage:
    """Open a hosted form: its HTML, its fields as a browser would post them, its action."""
    response = fetch(client, "GET", f"/f/{slug}" + (f"?{query}" if query else ""), headers=headers)
    assert response.status_code == 200, response.status_code
    return page_of(response)


def page_of(response) -> FormPage:
    html = response.get_data(as_text=True)
    form = BeautifulSoup(html, "html.parser").select_one("form[action]")
    return FormPage(html, page_inputs(html), form["action"] if form else "")


_serial = itertools.count(1)


def fresh_email() -> str:
    """An address no other example has used: each example's lead is a new one."""
    return f"fuzz{next(_serial)}@example.nl"


def contact_fields(email: str | None = None, **changes) -> dict:
    return {**CONTACT, "email": email or fresh_email(), "consent": "y", **changes}


def second_step(client, slug: str = "demo-contact", query: str = "", **contact) -> FormPage:
    """Send a valid contact step; return the qualifying step's page."""
    page = form_page(client, slug, query)
    response = client.post(page.action, data={**page.inputs, **contact_fields(**contact)})
    assert response.status_code == 200, response.get_data(as_text=True)
    step = page_of(response)
    assert "step_token" in step.inputs
    return step


@dataclass(frozen=True)
class Counts:
    leads: int
    submissions: int
    completed: int
    downloads: int


def counts(app) -> Counts:
    with app.app_context():
        count = db.func.count

        def scalar(query):
            return db.session.scalar(query)

        return Counts(
            scalar(db.select(count(Lead.id))),
            scalar(db.select(count(Submission.id))),
            scalar(db.select(count(Submission.id)).where(Submission.completed_at.is_not(None))),
            scalar(db.select(count(Download.id))),
        )


def lead_by_email(app, email_key: str) -> dict | None:
    """The stored lead (its columns), its submissions' answers and columns."""
    with app.app_context():
        lead = db.session.scalars(db.select(Lead).where(Lead.email_key == email_key)).one_or_none()
        if lead is None:
            return None
        columns = {c.key: getattr(lead, c.key) for c in Lead.__table__.columns}
        columns["answers"] = [s.answers for s in lead.submissions]
        columns["submissions"] = [
            {c.key: getattr(s, c.key) for c in Submission.__table__.columns}
            for s in lead.submissions
        ]
        return columns


# --- escaping -------------------------------------------------------------

SPECIAL = re.compile(r"[<>&\"']")


def assert_escaped(html: str, values, where: str = "") -> None:
    """No stored value broke out of its place in `html`.

    Parsed with html.parser: no tag or attribute carries a marker name, no
    inline event handler, no comment or script holding a marker. And no marked
    value with an HTML-special character appears in the source unescaped.
    """
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert MARK not in tag.name, f"{where}: a value made a <{tag.name}> tag"
        for attribute in tag.attrs:
            assert MARK not in attribute, f"{where}: a value made a {attribute}= attribute"
            assert not attribute.startswith("on"), f"{where}: {tag.name} has {attribute}="
        if tag.name in ("script", "style"):
            assert MARK not in tag.get_text(), f"{where}: a value landed in a <{tag.name}>"
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        assert MARK not in comment, f"{where}: a value opened a comment"
    for value in values:
        # Checked for values with a marker (unique on the page) whose escaped
        # form does not itself contain them ("&amp;" escapes to "&amp;amp;").
        if MARK in value and SPECIAL.search(value) and value not in str(escape(value)):
            assert value not in html, f"{where}: {value!r} appears unescaped"


def shown(html: str, value: str) -> bool:
    """Whether `value` is in `html`, escaped as the templates escape it."""
    return str(escape(value)) in html
