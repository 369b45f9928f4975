"""Every answer that shows a visitor's input again (a form with a mistake, a
rate-limited post, a failed login) shows it escaped: parsed with html.parser,
no value made a tag, an attribute, a comment or a script; no marked value
appears unescaped; and the input is kept as the rules keep it."""

from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capture.domain.vocabulary import CLICK_ID_PARAMS, UTM_PARAMS

from ..support.auth import post_login
from ..support.fuzz import (
    answered,
    assert_escaped,
    cleaned,
    contact_fields,
    examples,
    fetch,
    form_page,
    marked,
    second_step,
    typed,
)
from ..support.visitor import page_inputs

LIMITS = {**{name: 200 for name in UTM_PARAMS + CLICK_ID_PARAMS}, "channel": 20}
LIMITS.update({name: 2000 for name in ("referrer", "landing_page", "page_url")})
CONTACT_FIELDS = ("email", "name", "company", "phone")


@settings(max_examples=examples(40))
@given(
    slug=st.sampled_from(["demo-contact", "demo-ebook"]),
    typed_in=st.dictionaries(st.sampled_from(CONTACT_FIELDS), marked(), min_size=1),
    carried_in=st.dictionaries(st.sampled_from(sorted(LIMITS)), marked(), max_size=4),
    mistake=st.sampled_from(["no consent", "bad token"]),
    htmx=st.booleans(),
)
def test_the_contact_step_shown_again_keeps_the_input_escaped(
    app, client, slug, typed_in, carried_in, mistake, htmx
):
    page = form_page(client, slug)
    fields = {**page.inputs, **contact_fields(), **typed_in, **carried_in}
    if mistake == "no consent":
        del fields["consent"]
    else:
        fields["token"] = fields["token"][:-2]

    response = client.post(page.action, data=fields, headers={"HX-Request": "true"} if htmx else {})

    assert answered(response) == 422
    html = response.text
    kept = page_inputs(html)
    shown = {name: typed(value) for name, value in typed_in.items() if name in kept}
    shown.update({name: cleaned(value, LIMITS[name]) for name, value in carried_in.items()})
    assert_escaped(html, shown.values(), "contact step")
    for name, value in shown.items():
        assert kept.get(name, "") == value, name


@settings(max_examples=examples(40))
@given(
    slug=st.sampled_from(["demo-contact", "demo-ebook"]),
    tags=st.dictionaries(
        st.sampled_from([*LIMITS, "lang", "embed"]), marked(), min_size=1, max_size=5
    ),
    embed=st.booleans(),
    referrer=st.one_of(st.none(), marked()),
)
def test_the_form_shows_the_campaign_tags_of_its_address_escaped(app, slug, tags, embed, referrer):
    query = urlencode({**tags, **({"embed": "1"} if embed else {})})
    visitor = app.test_client(use_cookies=False)
    # A header arrives as bytes read as Latin-1; a server refuses CR, LF and NUL in it.
    sent = referrer and referrer.encode().decode("latin-1").translate(dict.fromkeys(b"\r\n\x00"))
    headers = {"Referer": sent} if sent else {}

    response = fetch(visitor, "GET", f"/f/{slug}?{query}", headers=headers)

    assert answered(response) == 200
    html = response.text
    carried = {name: cleaned(value, LIMITS[name]) for name, value in tags.items() if name in LIMITS}
    if sent and not embed and "page_url" not in tags:
        # The hosted page: the browser's Referer is where the visitor came from.
        carried.setdefault("referrer", cleaned(sent, 2000))
    assert_escaped(html, [*carried.values(), *tags.values()], "form page")
    kept = page_inputs(html)
    for name, value in carried.items():
        assert kept.get(name, "") == value, name


@settings(max_examples=examples(40))
@given(
    need=marked(200),
    role=marked(),
    sector=st.one_of(st.just(""), marked()),
)
def test_the_qualifying_step_shown_again_keeps_the_answers_escaped(app, client, need, role, sector):
    step = second_step(client, "demo-contact")

    response = client.post(
        step.action, data={**step.inputs, "sector": sector, "need": need, "role": role}
    )

    assert answered(response) == 422
    html = response.text
    assert_escaped(html, [typed(need), typed(role), typed(sector)], "qualifying step")
    assert page_inputs(html)["need"] == typed(need)


@settings(max_examples=examples(30))
@given(email=marked(), next_page=st.one_of(st.none(), marked()))
def test_a_failed_login_shows_the_address_again_escaped(app, users, email, next_page):
    client = app.test_client()
    email = email.replace("\x00", "")  # a NUL in a login is a 400 (the input guard)
    next_query = {"next": next_page} if next_page else None

    response = post_login(client, email, "x", query_string=next_query)

    # Hypothesis may try one address more often than the login lock allows (429).
    assert answered(response) in (422, 429)
    html = response.text
    assert_escaped(html, [email], "login")
    assert page_inputs(html)["email"] == email


@pytest.fixture
def limited_app(make_demo_app):
    """The app with a post limit of one a minute per address and form."""
    return make_demo_app(RATELIMIT_ENABLED=True, LEADS_POST_LIMIT="1 per minute")


@settings(max_examples=examples(30))
@given(
    step=st.sampled_from(["contact", "qualify"]),
    values=st.fixed_dictionaries(
        {"name": marked(), "company": marked(), "need": marked(), "step_token": marked()}
    ),
)
def test_a_rate_limited_post_is_shown_again_escaped(limited_app, step, values):
    client = limited_app.test_client()
    page = form_page(client, "demo-contact")
    fields = {**page.inputs, **contact_fields(), **values, "step": step}
    client.post(page.action, data=fields)  # the one post a minute (or an earlier example's)

    response = client.post(page.action, data=fields)

    assert answered(response) == 429
    html = response.text
    kept = page_inputs(html)
    if step == "contact":
        shown = {name: typed(values[name]) for name in ("name", "company")}
    else:
        # The qualifying step again, with the posted step token as it was sent.
        shown = {"need": typed(values["need"]), "step_token": values["step_token"]}
    assert_escaped(html, shown.values(), "rate limited")
    assert {name: kept[name] for name in shown} == shown
