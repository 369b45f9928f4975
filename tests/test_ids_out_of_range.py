"""An id in a URL that no row can have is simply not found (404): not a
server error because the database cannot even compare it (SQLite's 64 bits,
PostgreSQL's 32-bit INTEGER ids)."""

import pytest

from .support.routes import id_routes, path_for, role_for

# Past 64 bits, just past 32 and 64 bits, and below the first id.
ABSURD_IDS = ("99999999999999999999", str(2**31), str(2**63), "0", "-1")


def test_there_are_routes_with_ids_to_check():
    rules = {rule for rule, _ in id_routes()}

    assert {"/sales/leads/<int:lead_id>", "/admin/leads/<int:lead_id>/erase"} <= rules


@pytest.mark.parametrize(
    ("rule", "method"), id_routes(), ids=[f"{method} {rule}" for rule, method in id_routes()]
)
def test_an_id_no_row_can_have_is_not_found(app, client, auth, rule, method):
    auth.login(role_for(rule))
    data = {"csrf_token": auth.csrf_token()} if method == "POST" else None
    # The path is built right: with a plain id it is this very route.
    matched, _ = app.url_map.bind("localhost").match(path_for(rule, "1"), method=method)
    assert rule in {known.rule for known in app.url_map.iter_rules(matched)}

    for raw in ABSURD_IDS:
        answer = client.open(path_for(rule, raw), method=method, data=data)
        assert answer.status_code == 404, (raw, answer.status_code)
