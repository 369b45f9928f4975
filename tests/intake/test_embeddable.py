"""`/f/<slug>/embeddable`: the public answer the loader asks when a form does
not show, "may this form be embedded on my origin?", readable by any site."""

import pytest

from capture.extensions import db
from capture.models import EmbedCount, Form, utcnow

from ..support.embedding import restrict_embedding

SHOP = "https://shop.example.nl"


def ask(client, slug: str, origin: str | None = None, query: str = "", method: str = "GET"):
    headers = {"Origin": origin} if origin is not None else {}
    path = f"/f/{slug}/embeddable" + (f"?{query}" if query else "")
    return client.open(path, method=method, headers=headers)


def test_a_form_open_to_any_site_may_be_embedded_on_any_origin(client):
    answer = ask(client, "demo-ebook", "https://any-shop.example.com")

    assert answer.status_code == 200
    assert answer.json == {
        "form": "demo-ebook",
        "origin": "https://any-shop.example.com",
        "allowed": True,
    }


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (SHOP, True),
        ("https://forgotten-shop.example.nl", False),
        ("http://shop.example.nl", False),  # another scheme is another origin
        ("http://localhost", True),  # Leadgate itself (the admin's preview)
    ],
)
def test_a_restricted_form_may_be_embedded_on_its_listed_origins_only(app, client, origin, allowed):
    restrict_embedding(app, "demo-contact", SHOP)

    answer = ask(client, "demo-contact", origin)

    assert answer.status_code == 200
    assert answer.json == {"form": "demo-contact", "origin": origin, "allowed": allowed}


def test_without_an_origin_header_the_query_names_the_origin(app, client):
    restrict_embedding(app, "demo-contact", SHOP)

    from_query = ask(client, "demo-contact", query="origin=https%3A%2F%2FSHOP.example.nl%3A443%2F")
    header_wins = ask(
        client, "demo-contact", "https://elsewhere.example.nl", query=f"origin={SHOP}"
    )

    assert from_query.json == {"form": "demo-contact", "origin": SHOP, "allowed": True}
    assert header_wins.json["origin"] == "https://elsewhere.example.nl"
    assert header_wins.json["allowed"] is False


@pytest.mark.parametrize("sent", [None, "null", "file://", "javascript:alert(1)", "https://a b"])
def test_no_origin_or_junk_is_answered_with_a_null_origin(app, client, sent):
    open_form = ask(client, "demo-ebook", sent)
    restrict_embedding(app, "demo-contact", SHOP)
    restricted = ask(client, "demo-contact", sent)

    assert open_form.json == {"form": "demo-ebook", "origin": None, "allowed": True}
    assert restricted.json == {"form": "demo-contact", "origin": None, "allowed": False}


def test_an_unknown_or_archived_form_is_not_found(app, client):
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == "demo-contact")).one()
        form.archived_at = utcnow()
        db.session.commit()

    for slug in ("no-such-form", "demo-contact"):
        answer = ask(client, slug, SHOP)
        assert answer.status_code == 404, slug
        assert answer.json == {"form": slug, "allowed": False, "error": "not found"}
        assert answer.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("slug", ["demo-ebook", "no-such-form"])
def test_any_site_may_read_the_answer_which_is_never_kept_and_sets_no_cookie(client, slug):
    answer = ask(client, slug, SHOP)

    assert answer.mimetype == "application/json"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in answer.headers
    assert "cookie" not in answer.headers.get("Vary", "").lower()
    assert client.get_cookie("session") is None


def test_a_preflight_is_answered_harmlessly(app, client):
    answer = ask(client, "demo-ebook", SHOP, method="OPTIONS")

    assert answer.status_code == 204
    assert answer.get_data() == b""
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Access-Control-Allow-Methods"] == "GET"
    assert "Set-Cookie" not in answer.headers


def test_asking_counts_nothing(app, client):
    ask(client, "demo-ebook", SHOP).close()
    restrict_embedding(app, "demo-contact", SHOP)
    ask(client, "demo-contact", "https://forgotten-shop.example.nl").close()

    with app.app_context():
        assert db.session.scalars(db.select(EmbedCount)).all() == []
