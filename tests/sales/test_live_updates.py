"""The open list's poll for new leads, whatever `loaded_at` it is sent."""

import pytest

from capture.extensions import db

from ..support.factories import make_lead

ODD = [
    "9999-12-31T23:59:59-05:00",  # beyond the calendar once in UTC
    "0001-01-01T00:00:00+14:00",
    "2026-13-45",
    "",
    "2026-11-22T10:00:00",  # no time zone
    "3000-01-01T00:00:00+00:00",  # the future
]


@pytest.mark.parametrize("loaded_at", ODD)
def test_the_poll_answers_any_loaded_at_without_an_error(client, auth, loaded_at):
    auth.login("sales")
    answer = client.get("/sales/fresh", query_string={"loaded_at": loaded_at})
    assert answer.status_code == 200


def test_a_loaded_at_in_the_future_counts_from_now_and_an_old_one_from_then(app, client, auth):
    auth.login("sales")
    with app.app_context():
        make_lead(name="New one")
        db.session.commit()
    # The new lead has no owner: the banner of everyone's opportunities counts it.
    future, past = "3000-01-01T00:00:00+00:00", "2000-01-01T00:00:00+00:00"
    answer = client.get("/sales/fresh", query_string={"loaded_at": future, "owner": "all"})
    assert "new lead" not in answer.get_data(as_text=True)
    old = client.get("/sales/fresh", query_string={"loaded_at": past, "owner": "all"})
    assert "1 new lead came in" in old.get_data(as_text=True)
