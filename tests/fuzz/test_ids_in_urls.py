"""Any number in the id position of any route is answered, never a server
error: ids past what a column holds, zero, negative, with leading zeros, in
other scripts' digits, or the ids of rows that exist (tests/support/routes.py lists
the routes from the app itself)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..support.auth import Auth
from ..support.fuzz import answered, examples, fetch, second_step
from ..support.routes import id_routes, path_for

ids = st.one_of(
    st.integers().map(str),
    st.integers(0, 2**70).map(str),
    st.integers(1, 5).map(str),  # rows that exist
    st.from_regex(r"0*[0-9]{1,25}", fullmatch=True),
    st.text(st.characters(categories=["Nd"]), min_size=1, max_size=12),
)


@pytest.fixture
def admin(app, client, users):
    """An admin's client with a lead to find, and a CSRF token for the posts."""
    second_step(app.test_client(), "demo-contact")
    auth = Auth(client, users)
    auth.login("admin")
    return client, auth.csrf_token()


@settings(max_examples=examples(60))
@given(route=st.sampled_from(id_routes()), raw=ids)
def test_any_number_as_an_id_is_answered_without_a_server_error(admin, route, raw):
    client, token = admin
    rule, method = route
    data = {"csrf_token": token} if method == "POST" else None

    answered(fetch(client, method, path_for(rule, raw), data=data))
