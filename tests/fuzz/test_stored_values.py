"""Valid submissions with hostile values are stored exactly as the rules say.

The rules (see tests/support/fuzz.py): a visitor's field drops NUL and is trimmed before
it is checked, so whitespace (or NUL) alone is no answer; campaign tags lose
what is not printable, are trimmed and clipped; the referring host is cut to
the source column (200); an address too long once case-folded is refused;
HEAD, range and revalidation requests to a download link are not downloads.
"""

import re
from urllib.parse import urlencode

from email_validator import EmailNotValidError, validate_email
from hypothesis import event, given, settings
from hypothesis import strategies as st

from capture.domain.vocabulary import (
    BUDGETS,
    CLICK_ID_PARAMS,
    HEADCOUNT_BANDS,
    ROLES,
    SECTORS,
    TIMELINES,
    UTM_PARAMS,
)

from ..support.downloads import download_link
from ..support.fuzz import (
    PADDING,
    WHITESPACE,
    answered,
    carried,
    contact_fields,
    counts,
    examples,
    fetch,
    form_page,
    fresh_email,
    hostile_text,
    lead_by_email,
    pad,
    padded,
    page_of,
    second_step,
    typed,
)
from ..support.visitor import errors_in

PHONE = re.compile(r"[0-9+()\-. /]{6,40}")  # ContactStepForm.phone
phones = st.one_of(
    st.sampled_from(["", " ", "\x00", "\t\x00 "]),  # no answer
    padded(st.text("0123456789+()-. /", max_size=44)),
    padded(st.sampled_from(["020 123 4567", "+31 (0)20-123.45/67", "12345", "1" * 41])),
    hostile_text(45),
)


def accepted_phone(value: str) -> bool:
    """No answer (nothing left once NUL is dropped and it is trimmed), or a phone number."""
    return typed(value) == "" or bool(PHONE.fullmatch(typed(value)))


def mixed_case(email: str, upper: list[bool]) -> str:
    upper = (upper + [False] * len(email))[: len(email)]
    return "".join(c.upper() if u else c for c, u in zip(email, upper, strict=True))


@settings(max_examples=examples(80))
@given(
    slug=st.sampled_from(["demo-contact", "demo-ebook"]),
    name=st.one_of(padded(hostile_text()), hostile_text()),
    company=st.one_of(padded(hostile_text()), hostile_text()),
    phone=phones,
    marketing=st.booleans(),
    upper=st.lists(st.booleans(), max_size=20),
    padding=PADDING,
)
def test_contact_answers_are_stored_without_nul_and_trimmed_or_refused(
    app, client, slug, name, company, phone, marketing, upper, padding
):
    # A fresh address each time, in mixed case, with whitespace and NUL around it.
    email = pad(mixed_case(fresh_email(), upper), padding)
    key = typed(email).casefold()
    asks_phone = slug == "demo-contact"
    valid = (
        0 < len(typed(name)) <= 200
        and 0 < len(typed(company)) <= 200
        and (accepted_phone(phone) or not asks_phone)
    )
    fields = contact_fields(email=email, name=name, company=company, phone=phone)
    if marketing:
        fields["marketing"] = "y"
    page = form_page(client, slug)
    before = counts(app)

    response = client.post(page.action, data={**page.inputs, **fields})

    status = answered(response)
    event(f"status {status}")
    lead = lead_by_email(app, key)
    if not valid:
        assert status == 422
        assert lead is None and counts(app) == before
        return
    assert status == 200, errors_in(response.text)
    assert "step_token" in page_of(response).inputs
    expected_phone = (typed(phone) or None) if asks_phone else None
    assert (lead["name"], lead["company"], lead["phone"]) == (
        typed(name),
        typed(company),
        expected_phone,
    )
    assert lead["email"].casefold() == lead["email_key"] == key
    (answers,) = lead["answers"]
    assert answers["name"] == typed(name) and answers["company"] == typed(company)
    assert answers.get("phone") == expected_phone
    assert answers["consent"] is True
    assert answers["marketing"] is marketing  # the optional box, as ticked or not
    assert counts(app).submissions == before.submissions + 1


def test_a_phone_of_only_nul_is_no_answer_like_whitespace(app, client):
    """The smallest case of the test above that fails: a NUL is dropped, not refused,
    so a phone of only NUL is no answer (as whitespace alone is), not a wrong number."""
    page = form_page(client, "demo-contact")
    email = fresh_email()

    response = client.post(page.action, data={**page.inputs, **contact_fields(email, phone="\x00")})

    assert answered(response) == 200, errors_in(response.text)
    assert lead_by_email(app, email)["phone"] is None


def choice(values):
    """A select's answer: one of its values, perhaps padded with whitespace and NUL."""
    return st.one_of(st.sampled_from(values), padded(st.sampled_from(values)))


# What a select may get instead: nothing, NUL, whitespace, anything.
WRONG_CHOICE = st.one_of(st.sampled_from(["", " ", "\x00", "\t\x00\n"]), hostile_text(20))


def accepted_choice(value: str, values, required: bool) -> bool:
    return typed(value) in values or (not required and typed(value) == "")


QUESTIONS = {
    "sector": (SECTORS, True),
    "headcount": (HEADCOUNT_BANDS, True),
    "role": (ROLES, False),
    "budget": (BUDGETS, False),
    "timeline": (TIMELINES, False),
}
ASKED = {"demo-contact": {"role", "budget", "timeline", "need"}, "demo-ebook": {"role", "timeline"}}


@settings(max_examples=examples(80))
@given(
    slug=st.sampled_from(["demo-contact", "demo-ebook"]),
    answers=st.fixed_dictionaries(
        {name: choice(values) for name, (values, _) in QUESTIONS.items()}
    ),
    wrong=st.dictionaries(st.sampled_from(sorted(QUESTIONS)), WRONG_CHOICE, max_size=2),
    need=st.one_of(padded(hostile_text()), hostile_text(), WHITESPACE),
)
def test_qualifying_answers_are_stored_without_nul_and_trimmed_or_refused(
    app, client, slug, answers, wrong, need
):
    answers = {**answers, **wrong}
    email = fresh_email()
    step = second_step(client, slug, email=email)
    asked = ASKED[slug]
    valid = all(
        accepted_choice(value, *QUESTIONS[name])
        for name, value in answers.items()
        if name in asked or QUESTIONS[name][1]
    ) and ("need" not in asked or len(typed(need)) <= 2000)
    before = counts(app)

    response = client.post(step.action, data={**step.inputs, **answers, "need": need})

    status = answered(response)
    event(f"status {status}")
    lead = lead_by_email(app, email)
    if not valid:
        assert status == 422
        assert counts(app) == before
        return
    assert status == 200, errors_in(response.text)
    assert counts(app).completed == before.completed + 1
    expected = {
        name: (typed(value) or None) if name in asked or QUESTIONS[name][1] else None
        for name, value in answers.items()
    }
    expected["need"] = (typed(need) or None) if "need" in asked else None
    assert {name: lead[name] for name in expected} == expected
    (stored_answers,) = lead["answers"]
    assert {k: v for k, v in stored_answers.items() if k in expected} == {
        k: v for k, v in expected.items() if v is not None
    }


@settings(max_examples=examples(60))
@given(
    tags=st.dictionaries(
        st.sampled_from(UTM_PARAMS + CLICK_ID_PARAMS),
        st.one_of(hostile_text(), padded(st.sampled_from(["linkedin", "cpc", "Herfst 2026"]))),
        min_size=1,
    )
)
def test_campaign_tags_in_the_address_are_stored_printable_trimmed_and_clipped(app, client, tags):
    email = fresh_email()

    second_step(client, "demo-ebook", query=urlencode(tags), email=email)

    lead = lead_by_email(app, email)
    for name in UTM_PARAMS:
        assert lead[name] == carried(tags.get(name, ""), 200), name
    (submission,) = lead["submissions"]
    expected = {k: carried(v, 200) for k, v in tags.items() if k in CLICK_ID_PARAMS}
    assert submission["click_ids"] == {k: v for k, v in expected.items() if v}


LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True)


@settings(max_examples=examples(40))
@given(
    labels=st.lists(LABEL, min_size=1, max_size=6),
    www=st.booleans(),
    upper=st.booleans(),
    path=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30),
)
def test_the_referring_host_is_the_source_cut_to_200_characters(
    app, client, labels, www, upper, path
):
    host = ("www." if www else "") + ".".join([*labels, "example"])
    referrer = f"https://{host.upper() if upper else host}/{path}"
    email = fresh_email()

    # The hosted page: the browser's Referer says where the visitor came from.
    page = form_page(client, "demo-ebook", Referer=referrer)
    client.post(page.action, data={**page.inputs, **contact_fields(email=email)})

    lead = lead_by_email(app, email)
    assert lead["referrer"] == carried(referrer, 2000)
    assert lead["source"] == host.removeprefix("www.")[:200]


@settings(max_examples=examples(40))
@given(
    local=st.text(st.sampled_from("aΐßİ\U0001d400ﬃ-"), min_size=1, max_size=64),
    labels=st.lists(st.text(st.sampled_from("aΐßﬃ"), min_size=1, max_size=25), max_size=7),
)
def test_an_address_too_long_once_case_folded_is_refused_and_any_other_valid_one_kept(
    app, client, local, labels
):
    email = f"{local}@{'.'.join([*labels, 'example'])}.nl"
    try:
        normalized = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        normalized = None
    fits = normalized is not None and len(email) <= 254 and len(normalized.casefold()) <= 320
    event("fits" if fits else "refused")
    page = form_page(client, "demo-contact")
    before = counts(app)

    response = client.post(page.action, data={**page.inputs, **contact_fields(email=email)})

    if not fits:
        assert answered(response) == 422
        assert counts(app) == before
        return
    assert answered(response) == 200
    lead = lead_by_email(app, normalized.casefold())
    assert lead["email"] == normalized and len(lead["email_key"]) <= 320


REQUESTS = {
    "get": ("GET", {}, 200),
    "head": ("HEAD", {}, 200),
    "range": ("GET", {"Range": "bytes=0-7"}, 206),
    "head-range": ("HEAD", {"Range": "bytes=0-7"}, 206),
    "revalidate": ("GET", {"If-None-Match": "ETAG"}, 304),
}


@settings(max_examples=examples(25))
@given(kinds=st.lists(st.sampled_from(sorted(REQUESTS)), min_size=1, max_size=6))
def test_only_whole_gets_of_a_download_link_are_downloads(app, client, kinds):
    step = second_step(client, "demo-ebook")
    done = client.post(step.action, data={**step.inputs, "sector": "ict", "headcount": "10-49"})
    link = download_link(done)
    etag = fetch(client, "HEAD", link).headers["ETag"]
    before = counts(app)

    for kind in kinds:
        method, headers, expected = REQUESTS[kind]
        headers = {k: v.replace("ETAG", etag) for k, v in headers.items()}
        assert answered(fetch(client, method, link, headers=headers)) == expected, kind

    assert counts(app).downloads == before.downloads + kinds.count("get")
