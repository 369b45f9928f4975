"""Every public endpoint, fed arbitrary input: never a server error, and
nothing stored by a request that was not accepted.

Public endpoints: GET / · GET /embed.js · GET, POST /f/<slug> · GET /d/<token>
· GET, POST /c/<token> · GET, POST /login · GET /healthz, and any other path.
Under TESTING an exception in a view reaches the test as itself, with its
traceback, rather than as a 500.
"""

from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_etags, parse_range_header

from capture.domain.vocabulary import CLICK_ID_PARAMS, UTM_PARAMS

from ..support.downloads import download_link
from ..support.fuzz import (
    ANY_CHAR,
    answered,
    contact_fields,
    counts,
    examples,
    fetch,
    form_page,
    header_value,
    hostile_text,
    page_of,
    raw_bytes,
    raw_request,
    second_step,
)

SLUGS = ("demo-contact", "demo-ebook")
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND")
PREFIXES = (b"", b"f/", b"f/demo-contact", b"d/", b"c/", b"static/", b"static/../", b"sales/")
PREFIXES += (b"admin/", b"login/", b"embed.js/", b"healthz/", b"/", b"./", b"%2e%2e/")
QUERY_NAMES = (*UTM_PARAMS, *CLICK_ID_PARAMS, "ref", "page", "lang", "embed", "next", "after")
QUERY_NAMES += ("referrer", "landing_page", "page_url", "channel", "q", "list", "step")
HEADERS = ("Referer", "Accept", "Accept-Language", "Accept-Encoding", "User-Agent", "Range")
HEADERS += ("If-None-Match", "If-Modified-Since", "HX-Request", "Origin", "Cookie")
# Fields of both steps, the honeypot, the attribution fields, and the steps' tokens.
FIELDS = ("email", "name", "company", "phone", "consent", "marketing", "sector", "headcount")
FIELDS += ("role", "budget", "timeline", "need", "step", "token", "step_token", "lg_trap")
FIELDS += (*UTM_PARAMS, *CLICK_ID_PARAMS, "referrer", "landing_page", "page_url", "channel")


def query_string():
    """A query string as it may arrive: known and unknown names, any bytes, escaped or not."""
    pair = st.tuples(
        st.one_of(
            st.sampled_from(QUERY_NAMES), raw_bytes(10).map(lambda raw: raw.decode("latin-1"))
        ),
        st.one_of(hostile_text(40), raw_bytes()),
    )

    def encode(pairs, raw_tail):
        parts = []
        for name, value in pairs:
            value = value.encode() if isinstance(value, str) else value
            name = name.encode() if isinstance(name, str) else name
            parts.append(quote_from_bytes(name) + "=" + quote_from_bytes(value))
        return "&".join(parts).encode() + raw_tail

    # The tail is sent as it is: stray %, & and =, broken escapes. Only printable
    # ASCII: gunicorn refuses any other byte in the request target (RFC 9112), so
    # no other byte reaches the app unescaped.
    tail = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="#"))
    return st.builds(
        encode,
        st.lists(pair, max_size=6),
        st.one_of(st.just(b""), tail.map(str.encode), st.sampled_from([b"%", b"%f", b"%zz"])),
    )


def headers():
    return st.dictionaries(st.sampled_from(HEADERS), header_value(), max_size=4)


@settings(max_examples=examples(150))
@given(
    method=st.sampled_from(METHODS),
    prefix=st.sampled_from(PREFIXES),
    rest=raw_bytes(),
    query=query_string(),
)
def test_any_path_and_query_string_is_answered_without_a_server_error(
    app, client, method, prefix, rest, query
):
    before = counts(app)
    path = b"/" + prefix + rest

    status = answered(raw_request(client, method, path, query))

    if b"\x00" in path:
        assert status == 400  # the input guard: a NUL in the path
    assert counts(app).submissions == before.submissions


@settings(max_examples=examples(100))
@given(
    page=st.sampled_from(
        ["/", "/embed.js", "/f/demo-contact", "/f/demo-ebook", "/login", "/healthz"]
    ),
    method=st.sampled_from(["GET", "HEAD"]),
    query=query_string(),
    sent=headers(),
)
def test_public_pages_answer_any_query_and_headers_without_a_server_error(
    app, page, method, query, sent
):
    before = counts(app)
    visitor = app.test_client(use_cookies=False)  # a visitor brings no session

    response = raw_request(visitor, method, page.encode(), query, headers=sent)

    status = answered(response)
    if page.startswith("/f/"):
        # Campaign tags are cleaned, not refused: the form always shows.
        assert status == 200
    if page != "/login":
        # Public answers set no cookie (only the login form needs a session).
        assert "Set-Cookie" not in response.headers
    assert counts(app) == before


def fields_changed(base: dict):
    """`base` (a valid post) with fields overridden, dropped, duplicated or added."""
    names = st.one_of(st.sampled_from(FIELDS), st.text(ANY_CHAR, max_size=12))
    values = st.one_of(hostile_text(), st.lists(hostile_text(20), min_size=2, max_size=3))

    def build(overrides, dropped):
        items = MultiDict()
        for name, value in {**base, **overrides}.items():
            if name not in dropped:
                # A list: the field sent several times (the first one counts).
                for one in value if isinstance(value, list) else [value]:
                    items.add(name, one)
        return items

    return st.builds(
        build,
        st.dictionaries(names, values, max_size=5),
        st.sets(st.sampled_from(sorted(base)), max_size=3),
    )


@settings(max_examples=examples(60))
@given(
    slug=st.sampled_from(SLUGS),
    query=st.sampled_from(["", "embed=1", "lang=nl", "lang=%00", "embed=1&lang=xx"]),
    data=st.data(),
)
def test_the_contact_step_answers_any_fields_and_stores_at_most_one_submission(
    app, client, slug, query, data
):
    page = form_page(client, slug, query)
    posted = data.draw(fields_changed({**page.inputs, **contact_fields()}), label="posted")
    before = counts(app)

    response = client.post(page.action, data=posted)

    status = answered(response)
    after = counts(app)
    assert status in (200, 422)
    assert after.leads - before.leads in (0, 1)
    assert after.submissions - before.submissions in (0, 1)
    stored = after.submissions - before.submissions
    if status == 422 or posted.get("lg_trap"):
        assert stored == 0
    if stored:
        # Accepted: the qualifying step follows (or the thank-you).
        assert "step_token" in page_of(response).inputs or "lg-done" in response.text


@settings(max_examples=examples(50))
@given(slug=st.sampled_from(SLUGS), data=st.data())
def test_the_qualifying_step_answers_any_fields_and_stores_no_new_submission(
    app, client, slug, data
):
    step = second_step(client, slug)
    posted = data.draw(fields_changed(step.inputs), label="posted")
    before = counts(app)

    response = client.post(step.action, data=posted)

    status = answered(response)
    after = counts(app)
    assert status in (200, 404, 422)
    assert (after.leads, after.submissions) == (before.leads, before.submissions)
    assert after.completed - before.completed in (0, 1)
    if status != 200 or posted.get("lg_trap"):
        assert after.completed == before.completed


CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=x",
    "multipart/form-data; boundary=" + "x" * 100,
    "application/json",
    "text/plain; charset=utf-8",
    "text/html",
    "application/octet-stream",
    "",
)


def body_with(token: str):
    """A body: arbitrary bytes, or a form with a valid token and arbitrary bytes in it."""
    field = st.tuples(
        st.sampled_from(["email", "name", "company", "consent", "need", "x"]), raw_bytes()
    ).map(lambda pair: pair[0].encode() + b"=" + quote_from_bytes(pair[1]).encode())
    form = st.lists(field, max_size=5).map(
        lambda fields: b"&".join([b"token=" + token.encode(), *fields])
    )
    multipart = st.lists(raw_bytes(), max_size=3).map(
        lambda parts: (
            b"".join(
                b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\n' + part + b"\r\n"
                for part in parts
            )
            + b"--x--\r\n"
        )
    )
    return st.one_of(st.binary(max_size=300), form, multipart)


@settings(max_examples=examples(80))
@given(
    target=st.sampled_from(["/f/demo-contact", "/f/demo-ebook", "/f/no-such-form", "/login"]),
    content_type=st.one_of(st.sampled_from(CONTENT_TYPES), header_value(40)),
    data=st.data(),
)
def test_any_body_and_content_type_is_answered_without_a_server_error(
    app, client, target, content_type, data
):
    token = form_page(client, "demo-contact").inputs["token"]
    body = data.draw(body_with(token), label="body")
    before = counts(app)

    status = answered(fetch(client, "POST", target, data=body, content_type=content_type))

    assert status in (200, 400, 404, 413, 415, 422)
    stored = counts(app).submissions - before.submissions
    assert stored == 0 if status != 200 else stored in (0, 1)


LIMIT = 1024 * 1024  # MAX_CONTENT_LENGTH (capture/config.py)


def oversized_body(fields: dict, multipart: bool, size: int) -> tuple[bytes, str]:
    """A valid form post, then padding (in `need`) to `size` bytes, then `company`."""
    if multipart:
        part = b'--x\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        head = b"".join(part % (k.encode(), v.encode()) for k, v in fields.items())
        head += b'--x\r\nContent-Disposition: form-data; name="need"\r\n\r\n'
        tail = b"\r\n" + part % (b"company", b"After the limit") + b"--x--\r\n"
        content_type = "multipart/form-data; boundary=x"
    else:
        head = "&".join(f"{quote(k)}={quote(v)}" for k, v in fields.items()).encode()
        head += b"&need="
        tail = b"&company=After+the+limit"
        content_type = "application/x-www-form-urlencoded"
    return head + b"a" * (size - len(head) - len(tail)) + tail, content_type


@settings(max_examples=examples(8))
@given(
    target=st.sampled_from(["/f/demo-contact", "/f/demo-ebook", "/login"]),
    multipart=st.booleans(),
    extra=st.integers(1, 64 * 1024),
)
def test_a_form_body_over_the_size_limit_is_refused_with_413_and_nothing_stored(
    app, client, target, multipart, extra
):
    page = form_page(client, target.removeprefix("/f/") if "/f/" in target else "demo-contact")
    body, content_type = oversized_body(
        {**page.inputs, **contact_fields()}, multipart, LIMIT + extra
    )
    assert len(body) == LIMIT + extra
    before = counts(app)

    response = fetch(client, "POST", target, data=body, content_type=content_type)

    assert answered(response) == 413
    assert counts(app) == before


@settings(max_examples=examples(6))
@given(multipart=st.booleans(), extra=st.integers(1, 64 * 1024))
def test_a_chunked_body_over_the_size_limit_is_never_read_past_the_limit(
    app, client, multipart, extra
):
    """Without Content-Length (chunked, as gunicorn passes it on: wsgi.input_terminated),
    Werkzeug applies MAX_CONTENT_LENGTH while reading. A multipart body is refused
    with 413; an url-encoded one is read up to the limit and the rest ignored
    (Werkzeug's LimitedStream.readall stops at the limit without raising), so a
    field after the limit never arrives."""
    page = form_page(client, "demo-contact")
    fields = {k: v for k, v in {**page.inputs, **contact_fields()}.items() if k != "company"}
    # The padding alone reaches past the limit: `company` starts after it.
    body, content_type = oversized_body(fields, multipart, LIMIT + extra + 100)
    chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}
    before = counts(app)

    response = fetch(
        client, "POST", page.action, data=body, content_type=content_type, environ_overrides=chunked
    )

    status = answered(response)
    assert status == 413 if multipart else status == 422  # `company` was past the limit
    assert counts(app) == before


@settings(max_examples=examples(30))
@given(
    slug=st.one_of(
        st.text(ANY_CHAR, min_size=1, max_size=30),
        st.sampled_from(["demo-contact ", "DEMO-CONTACT", "demo-contact/", "demo-contact%00"]),
    ),
    method=st.sampled_from(["GET", "POST"]),
)
def test_an_unknown_form_slug_is_not_found_or_refused(app, client, slug, method):
    status = answered(fetch(client, method, "/f/" + quote(slug, safe="")))

    if slug not in SLUGS:
        assert status in (308, 400, 404, 405)


CONDITIONAL = ("Range", "If-Range", "If-None-Match", "If-Match", "If-Modified-Since")
CONDITIONAL += ("If-Unmodified-Since", "Accept-Encoding")
RANGES = st.builds(
    "bytes={}-{}".format,
    st.one_of(st.just(""), st.integers(-5, 10**6).map(str)),
    st.one_of(st.just(""), st.integers(-5, 10**6).map(str)),
)


@pytest.fixture
def a_download_link(client):
    step = second_step(client, "demo-ebook")
    done = client.post(step.action, data={**step.inputs, "sector": "ict", "headcount": "10-49"})
    return download_link(done)


@settings(max_examples=examples(50))
@given(
    method=st.sampled_from(["GET", "HEAD"]),
    sent=st.dictionaries(
        st.sampled_from(CONDITIONAL), st.one_of(header_value(), RANGES, st.just("*")), max_size=3
    ),
    query=query_string(),
)
def test_a_download_link_answers_any_headers_and_counts_only_whole_gets(
    app, client, a_download_link, method, sent, query
):
    before = counts(app)

    response = raw_request(
        client, method, urlsplit(a_download_link).path.encode(), query, headers=sent
    )

    status = answered(response)
    assert status in (200, 206, 304, 412, 416)
    # A download is a GET without a (readable) Range or If-None-Match header.
    whole_get = (
        method == "GET"
        and parse_range_header(sent.get("Range")) is None
        and not parse_etags(sent.get("If-None-Match"))
    )
    assert counts(app).downloads == before.downloads + whole_get
