"""The Embedding card of a form's page: any website or only the listed ones,
the sites that showed the form and those refused, and allowing one in a click."""

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.leads.embed_counts import MOST_LISTED, WINDOW_DAYS, Site, embedding_sites
from capture.models import EmbedCount, Form

from ..support.admin_forms import NEW, field_errors, form_values, post_settings
from ..support.auth import log_in
from ..support.csp import directive
from ..support.embedding import restrict_embedding
from ..support.visitor import Visitor, page_inputs

SHOP = "https://shop.example.nl"
FORGOTTEN = "https://forgotten-shop.example.nl"
NEW_FORM = {"slug": "spring-demo", "kind": "contact", "texts_en-title": "Talk to us"}


@pytest.fixture
def admin(client, auth):
    """The test client, logged in as the site owner."""
    auth.login("admin")
    return client


def stored(app, slug: str) -> Form:
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == slug)).one()
        db.session.expunge(form)
        return form


def edit_path(app, slug: str) -> str:
    return f"/admin/forms/{stored(app, slug).id}"


def day_words(day) -> str:
    """A day as the page writes it in English."""
    return day.strftime("%-d %b %Y")


def page_of(answer) -> BeautifulSoup:
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


def frame_ancestors(client, slug: str) -> str | None:
    return directive(client.get(f"/f/{slug}").headers["Content-Security-Policy"], "frame-ancestors")


def chosen(answer) -> str:
    return form_values(answer.get_data(as_text=True))["embedding"]


def show_framed(app, slug: str, page: str, times: int = 1) -> None:
    """The form shown `times` in an iframe on `page` (its Referer), by a visitor."""
    for _ in range(times):
        Visitor(app.test_client()).open(slug, "embed=1", Referer=page)


def table_rows(answer, table_id: str) -> list[list[str]]:
    table = page_of(answer).select_one(f"table#{table_id}")
    if table is None:
        return []
    return [[cell.get_text(" ", strip=True) for cell in row("td")] for row in table.tbody("tr")]


def add_counts(app, slug: str, *rows: tuple[str, bool, int, int], today: date | None = None):
    """(origin, allowed, days before `today`, showings) counted for `slug`, as the
    tally writes them."""
    form_id = stored(app, slug).id
    today = today or datetime.now(UTC).date()
    with app.app_context():
        for origin, allowed, days_ago, showings in rows:
            day = today - timedelta(days=days_ago)
            db.session.add(
                EmbedCount(form_id=form_id, day=day, origin=origin, allowed=allowed, count=showings)
            )
        db.session.commit()


# Any website, or only the listed ones


def test_a_new_form_may_be_embedded_on_any_website(app, admin):
    assert chosen(admin.get(NEW)) == "anywhere"

    answer = post_settings(admin, NEW, **NEW_FORM)

    assert answer.status_code == 302
    form = stored(app, "spring-demo")
    assert (form.restrict_embedding, form.allowed_origins) == (False, [])
    framed = app.test_client().get("/f/spring-demo?embed=1", headers={"Referer": f"{SHOP}/"})
    assert directive(framed.headers["Content-Security-Policy"], "frame-ancestors") is None
    assert "X-Frame-Options" not in framed.headers


def test_restricting_to_listed_sites_lets_exactly_those_frame_the_form(app, admin):
    lines = f"{SHOP}/\nHTTPS://WWW.Example.NL"
    answer = post_settings(admin, NEW, **NEW_FORM, embedding="listed", allowed_origins=lines)

    assert answer.status_code == 302
    form = stored(app, "spring-demo")
    assert (form.restrict_embedding, form.allowed_origins) == (
        True,
        [SHOP, "https://www.example.nl"],
    )
    assert (
        frame_ancestors(app.test_client(), "spring-demo") == f"'self' {SHOP} https://www.example.nl"
    )


def test_only_listed_sites_with_no_site_listed_is_refused_and_the_input_kept(app, admin):
    answer = post_settings(admin, NEW, **NEW_FORM, embedding="listed", allowed_origins="\n  \n")

    assert answer.status_code == 422
    assert field_errors(answer)["allowed_origins"].startswith("List at least one site")
    assert "Any website" in field_errors(answer)["allowed_origins"]
    assert (chosen(answer), form_values(answer.get_data(as_text=True))["slug"]) == (
        "listed",
        "spring-demo",
    )
    with app.app_context():
        assert db.session.scalar(db.select(Form.id).where(Form.slug == "spring-demo")) is None


def test_an_unknown_choice_is_refused(app, admin):
    answer = post_settings(admin, NEW, **NEW_FORM, embedding="everywhere-but-here")

    assert answer.status_code == 422
    assert "embedding" in field_errors(answer)


def test_choosing_any_website_again_keeps_the_list_for_later(app, admin):
    restrict_embedding(app, "demo-contact", SHOP, "https://www.example.nl")
    path = edit_path(app, "demo-contact")
    assert chosen(admin.get(path)) == "listed"

    assert post_settings(admin, path, embedding="anywhere").status_code == 302

    form = stored(app, "demo-contact")
    assert (form.restrict_embedding, form.allowed_origins) == (
        False,
        [SHOP, "https://www.example.nl"],
    )
    assert frame_ancestors(app.test_client(), "demo-contact") is None
    shown = form_values(admin.get(path).get_data(as_text=True))
    assert (shown["embedding"], shown["allowed_origins"]) == (
        "anywhere",
        f"{SHOP}\nhttps://www.example.nl",
    )


def test_a_post_without_the_choice_keeps_the_stored_one(app, admin):
    restrict_embedding(app, "demo-contact", SHOP)
    path = edit_path(app, "demo-contact")

    assert post_settings(admin, path, embedding=None).status_code == 302

    assert stored(app, "demo-contact").restrict_embedding is True


@pytest.mark.parametrize(
    ("restricted", "sentence"),
    [
        (False, "Now any website may show this form"),
        (True, "visitors get a link that opens the form on its own page instead"),
    ],
)
def test_the_card_says_in_words_where_the_form_may_show_now(app, admin, restricted, sentence):
    if restricted:
        restrict_embedding(app, "demo-ebook", SHOP)

    now = page_of(admin.get(edit_path(app, "demo-ebook"))).select_one("#embedding-now")
    embed_page = page_of(admin.get(edit_path(app, "demo-ebook") + "/embed"))

    assert sentence in now.get_text(" ", strip=True)
    where = embed_page.select_one("#embed-where")
    assert ("Only the sites listed" in where.get_text()) is restricted
    assert where.select_one("a")["href"] == edit_path(app, "demo-ebook") + "#embedding-card"


# Where the form was embedded


def test_the_card_lists_the_sites_that_showed_the_form_and_those_refused(app, admin):
    restrict_embedding(app, "demo-contact", SHOP)
    before = datetime.now(UTC).date()
    show_framed(app, "demo-contact", f"{SHOP}/contact", times=2)
    show_framed(app, "demo-contact", f"{FORGOTTEN}/contact", times=3)
    show_framed(app, "demo-contact", "https://blog.example.nl/post", times=1)
    after = datetime.now(UTC).date()

    answer = admin.get(edit_path(app, "demo-contact"))

    shown, refused = table_rows(answer, "embedding-shown"), table_rows(answer, "embedding-refused")
    assert [row[:2] for row in shown] == [[SHOP, "2"]]
    assert [row[:2] for row in refused] == [[FORGOTTEN, "3"], ["https://blog.example.nl", "1"]]
    assert {row[2] for row in shown + refused} <= {day_words(before), day_words(after)}
    assert {row[3] for row in refused} == {"Allow this site"}


def test_allow_this_site_adds_it_to_the_list_and_the_form_shows_there(app, admin):
    restrict_embedding(app, "demo-contact", SHOP)
    show_framed(app, "demo-contact", f"{FORGOTTEN}/contact")
    path = edit_path(app, "demo-contact")
    page = admin.get(path)
    button = page_of(page).select_one("#embedding-refused button")
    allow = page_of(page).select_one(f"form#{button['form']}")

    answer = admin.post(
        allow["action"],
        data={**page_inputs(str(allow)), button["name"]: button["value"]},
    )

    assert answer.status_code == 303
    assert answer.location == f"{path}#embedding-card"
    assert stored(app, "demo-contact").allowed_origins == [SHOP, FORGOTTEN]
    assert frame_ancestors(app.test_client(), "demo-contact") == f"'self' {SHOP} {FORGOTTEN}"
    again = admin.get(path)
    assert f"{FORGOTTEN} may now show this form." in again.get_data(as_text=True)
    assert table_rows(again, "embedding-refused") == []
    assert "No website was refused" in page_of(again).select_one("#embedding-refused").get_text()


def test_allowing_a_site_twice_lists_it_once(app, admin, auth):
    restrict_embedding(app, "demo-contact", SHOP)
    path = edit_path(app, "demo-contact")
    token = auth.csrf_token(path)

    for origin in (FORGOTTEN, f"{FORGOTTEN}/", "HTTPS://Forgotten-Shop.example.nl:443"):
        answer = admin.post(f"{path}/allowed-sites", data={"csrf_token": token, "origin": origin})
        assert answer.status_code == 303

    assert stored(app, "demo-contact").allowed_origins == [SHOP, FORGOTTEN]


@pytest.mark.parametrize("origin", ["", "javascript:alert(1)", "https://a.nl/page", "https://*.nl"])
def test_allowing_what_is_not_a_site_is_refused(app, admin, auth, origin):
    restrict_embedding(app, "demo-contact", SHOP)
    path = edit_path(app, "demo-contact")

    answer = admin.post(
        f"{path}/allowed-sites", data={"csrf_token": auth.csrf_token(path), "origin": origin}
    )

    assert answer.status_code == 400
    assert stored(app, "demo-contact").allowed_origins == [SHOP]


def test_allowing_a_site_needs_the_csrf_token_and_an_admin(app, client, auth, users):
    restrict_embedding(app, "demo-contact", SHOP)
    path = edit_path(app, "demo-contact")
    auth.login("sales")
    as_sales = client.post(
        f"{path}/allowed-sites", data={"csrf_token": auth.csrf_token(), "origin": FORGOTTEN}
    )
    admin = app.test_client()
    log_in(admin, users["admin"][1])
    without_token = admin.post(f"{path}/allowed-sites", data={"origin": FORGOTTEN})

    assert (as_sales.status_code, without_token.status_code) == (403, 400)
    assert stored(app, "demo-contact").allowed_origins == [SHOP]


def test_the_sites_of_the_last_30_days_are_counted_together_and_older_ones_not(app):
    restrict_embedding(app, "demo-ebook", SHOP)
    today = date(2026, 3, 31)
    add_counts(
        app,
        "demo-ebook",
        (SHOP, True, 0, 4),
        (SHOP, True, WINDOW_DAYS - 1, 3),
        (SHOP, True, WINDOW_DAYS, 100),  # a day too old
        ("https://old-site.example.nl", True, WINDOW_DAYS, 1),
        (FORGOTTEN, False, WINDOW_DAYS - 1, 2),
        ("https://long-ago.example.nl", False, WINDOW_DAYS + 10, 9),
        today=today,
    )

    with app.test_request_context():
        sites = embedding_sites(db.session.get(Form, stored(app, "demo-ebook").id), today)

    assert sites.shown == [Site(SHOP, 7, today)]
    assert sites.refused == [Site(FORGOTTEN, 2, today - timedelta(days=WINDOW_DAYS - 1))]


def test_the_page_lists_the_sites_of_the_last_30_days(app, admin):
    restrict_embedding(app, "demo-ebook", SHOP)
    add_counts(
        app,
        "demo-ebook",
        (SHOP, True, 1, 4),
        (SHOP, True, WINDOW_DAYS - 3, 3),
        (SHOP, True, WINDOW_DAYS + 2, 100),
        (FORGOTTEN, False, WINDOW_DAYS - 3, 2),
        ("https://long-ago.example.nl", False, WINDOW_DAYS + 2, 9),
    )

    answer = admin.get(edit_path(app, "demo-ebook"))

    assert [row[:2] for row in table_rows(answer, "embedding-shown")] == [[SHOP, "7"]]
    assert [row[:2] for row in table_rows(answer, "embedding-refused")] == [[FORGOTTEN, "2"]]
    assert "in the last 30 days" in page_of(answer).select_one("#embedding-card h3").get_text()


def test_the_most_shown_sites_are_listed_first_and_the_rest_counted(app, admin):
    sites = [(f"https://site-{n:03}.example.nl", True, 0, n + 1) for n in range(MOST_LISTED + 2)]
    add_counts(app, "demo-ebook", *sites)

    answer = admin.get(edit_path(app, "demo-ebook"))

    rows = table_rows(answer, "embedding-shown")
    assert len(rows) == MOST_LISTED
    assert rows[0][:2] == [f"https://site-{MOST_LISTED + 1:03}.example.nl", str(MOST_LISTED + 2)]
    assert "And 2 sites with fewer showings." in answer.get_data(as_text=True)


def test_a_site_refused_before_the_form_was_opened_to_any_site_is_not_refused_now(app, admin):
    add_counts(app, "demo-ebook", (FORGOTTEN, False, 1, 5), (SHOP, True, 1, 2))

    answer = admin.get(edit_path(app, "demo-ebook"))

    assert table_rows(answer, "embedding-shown") == [
        [SHOP, "2", day_words(datetime.now(UTC).date() - timedelta(days=1))]
    ]
    refused = page_of(answer).select_one("#embedding-refused")
    assert refused.name == "p" and "any website may show this form" in refused.get_text()
    assert page_of(answer).select_one("form#allow-site") is None


def test_empty_lists_say_so_in_words(app, admin):
    restrict_embedding(app, "demo-ebook", SHOP)

    answer = admin.get(edit_path(app, "demo-ebook"))

    page = page_of(answer)
    assert "No other website has shown this form in the last 30 days" in (
        page.select_one("#embedding-shown").get_text()
    )
    assert "No website was refused in the last 30 days" in (
        page.select_one("#embedding-refused").get_text()
    )


def test_a_new_form_has_no_lists_yet(admin):
    page = page_of(admin.get(NEW))

    assert page.select_one("#embedding-card") is not None
    assert page.select_one("#embedding-shown") is None
    assert page.select_one("#embedding-now") is None


def test_the_page_with_both_lists_names_each_element_once(app, admin):
    restrict_embedding(app, "demo-contact", SHOP)
    add_counts(app, "demo-contact", (SHOP, True, 0, 1), (FORGOTTEN, False, 0, 1))

    page = page_of(admin.get(edit_path(app, "demo-contact")))

    ids = [element["id"] for element in page.select("[id]")]
    assert [name for name in set(ids) if ids.count(name) > 1] == []
    assert page.select_one("#embedding-card #embedding-refused button")


def test_sites_are_shown_escaped(app, admin):
    # Counting refuses such an origin; stored anyway, the page still only shows it.
    hostile = 'https://x.nl"><script>alert(1)</script>'
    restrict_embedding(app, "demo-ebook", SHOP)
    add_counts(app, "demo-ebook", (hostile, False, 0, 1), (hostile, True, 0, 1))

    answer = admin.get(edit_path(app, "demo-ebook"))

    html = answer.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert page_of(answer).select_one("#embedding-refused button")["value"] == hostile
