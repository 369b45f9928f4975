"""The site owner's forms and gates: create, edit, archive, and what visitors then get."""

import io

import pytest
from bs4 import BeautifulSoup

from capture.demo.ebook import build_pdf
from capture.extensions import db
from capture.models import Ebook, Form

from ..support.admin_forms import NEW, field_errors, form_values, post_settings
from ..support.csp import directive
from ..support.downloads import download_link
from ..support.visitor import Visitor, page_inputs

VALID = {
    "slug": "spring-ebook",
    "kind": "contact",
    "language": "",
    "texts_en-title": "Talk to us this spring",
    "texts_en-intro": "We call back within a day.",
    "questions": ["phone", "budget"],
    "intent": "",
    "texts_en-success_text": "Thanks! We will call you.",
    "booking_url": "https://cal.example.com/us/intro",
    "embedding": "listed",
    "allowed_origins": "https://www.example.nl",
    "ebook_id": "",
}


def create_form(client, **fields):
    return post_settings(client, NEW, **{**VALID, **fields})


def stored_form(app, slug: str) -> Form | None:
    with app.app_context():
        return db.session.scalars(db.select(Form).where(Form.slug == slug)).one_or_none()


def form_id(app, slug: str) -> int:
    return stored_form(app, slug).id


def upload_pdf(client, title: str = "Pricing guide", content: bytes | None = None):
    """Upload a PDF on the e-books page as the logged-in admin."""
    content = content or build_pdf(title, ["Page one."])
    token = page_inputs(client.get("/admin/ebooks").get_data(as_text=True))["csrf_token"]
    return client.post(
        "/admin/ebooks",
        data={"csrf_token": token, "title": title, "file": (io.BytesIO(content), "guide.pdf")},
    )


@pytest.fixture
def admin(client, auth):
    """The test client, logged in as the site owner."""
    auth.login("admin")
    return client


def test_the_forms_page_lists_each_form_with_its_status_kind_and_submissions(app, admin):
    Visitor(app.test_client()).submit("demo-contact")
    Visitor(app.test_client()).submit("demo-contact", contact={"email": "piet@bouw-de-vries.nl"})

    page = BeautifulSoup(admin.get("/admin/forms").get_data(as_text=True), "html.parser")

    rows = {
        row.select_one("code").get_text(): [cell.get_text(" ", strip=True) for cell in row("td")]
        for row in page.select("tbody tr")
    }
    assert rows["/f/demo-contact"][2:5] == ["contact", "live", "2"]
    assert rows["/f/demo-ebook"][2:6] == ["gate", "live", "0", "Lead management for small firms"]
    contact_id = form_id(app, "demo-contact")
    assert page.select_one(f"a[href='/admin/forms/{contact_id}']")
    assert page.select_one("a[href='/f/demo-contact']")


def test_a_new_contact_form_is_live_at_its_address_with_its_settings(app, admin):
    answer = create_form(admin)

    form = stored_form(app, "spring-ebook")
    assert answer.status_code == 302
    assert answer.location == f"/admin/forms/{form.id}"
    assert (form.kind, form.title, form.language) == ("contact", "Talk to us this spring", None)
    assert set(form.texts) == {"en"}
    assert form.texts["en"]["intro"] == "We call back within a day."
    assert form.questions == ["phone", "budget"]
    assert (form.texts["en"]["success_text"], form.booking_url) == (
        "Thanks! We will call you.",
        "https://cal.example.com/us/intro",
    )
    assert (form.restrict_embedding, form.allowed_origins, form.ebook_id, form.archived_at) == (
        True,
        ["https://www.example.nl"],
        None,
        None,
    )
    hosted = app.test_client().get("/f/spring-ebook")
    assert hosted.status_code == 200
    assert "Talk to us this spring" in hosted.get_data(as_text=True)
    assert 'name="phone"' in hosted.get_data(as_text=True)
    assert "https://www.example.nl" in hosted.headers["Content-Security-Policy"]
    assert "Created “Talk to us this spring”" in admin.get(answer.location).get_data(as_text=True)


@pytest.mark.parametrize(
    ("kind", "chosen", "stored"),
    [
        ("gate", "", "medium"),
        ("contact", "", "high"),
        ("newsletter", "", "low"),
        ("newsletter", "high", "high"),
    ],
)
def test_an_intent_left_empty_follows_the_kind_and_a_chosen_one_is_kept(
    app, admin, kind, chosen, stored
):
    assert create_form(admin, kind=kind, intent=chosen).status_code == 302

    assert stored_form(app, "spring-ebook").intent == stored


def test_changing_the_kind_moves_an_intent_that_followed_the_kind(app, admin):
    path = f"/admin/forms/{form_id(app, 'demo-ebook')}"
    assert form_values(admin.get(path).get_data(as_text=True))["intent"] == ""

    assert post_settings(admin, path, kind="contact").status_code == 302

    assert stored_form(app, "demo-ebook").intent == "high"


def test_the_slug_is_tidied_to_lowercase_without_spaces_around_it(app, admin):
    assert create_form(admin, slug="  Spring-Ebook-2025 ").status_code == 302

    assert stored_form(app, "spring-ebook-2025") is not None


@pytest.mark.parametrize(
    "slug", ["ab", "spring ebook", "e-book!", "-ebook", "ebook-", "lente_boek", "x" * 81, "é-book"]
)
def test_a_slug_that_is_not_url_safe_is_refused_and_the_input_is_kept(app, admin, slug):
    answer = create_form(admin, slug=slug)

    assert answer.status_code == 422
    assert "3 to 80 lowercase letters, digits and hyphens" in field_errors(answer)["slug"]
    kept = form_values(answer.get_data(as_text=True))
    assert (kept["texts_en-title"], kept["questions"]) == (
        VALID["texts_en-title"],
        VALID["questions"],
    )
    assert kept["allowed_origins"] == VALID["allowed_origins"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Form.id))) == 2  # the demo forms


def test_a_slug_taken_by_another_form_is_refused_with_a_clear_message(app, admin):
    answer = create_form(admin, slug="demo-contact")

    assert answer.status_code == 422
    assert field_errors(answer)["slug"] == (
        "The address demo-contact is taken by another form. Choose another one."
    )
    assert stored_form(app, "demo-contact").title == "Ask for a demo"


def test_a_form_keeps_its_own_slug_when_saved_again(app, admin):
    path = f"/admin/forms/{form_id(app, 'demo-contact')}"

    assert post_settings(admin, path, **{"texts_en-title": "Book a demo"}).status_code == 302

    assert stored_form(app, "demo-contact").title == "Book a demo"


def test_allowed_origins_are_normalised_one_per_line(app, admin):
    lines = "\n".join(
        [
            "HTTPS://WWW.Example.NL/",
            "  http://localhost:8000  ",
            "",
            "https://shop.example.nl:443",
            "https://www.example.nl",
            "http://[::1]:5000",
            "https://bäckerei.de",
        ]
    )
    assert create_form(admin, allowed_origins=lines).status_code == 302

    form = stored_form(app, "spring-ebook")
    assert form.allowed_origins == [
        "https://www.example.nl",
        "http://localhost:8000",
        "https://shop.example.nl",
        "http://[::1]:5000",
        "https://xn--bckerei-5wa.de",
    ]
    policy = app.test_client().get("/f/spring-ebook").headers["Content-Security-Policy"]
    assert directive(policy, "frame-ancestors") == "'self' " + " ".join(form.allowed_origins)


def test_a_post_without_the_origins_field_keeps_the_stored_origins(app, admin):
    path = f"/admin/forms/{form_id(app, 'demo-contact')}"
    before = stored_form(app, "demo-contact").allowed_origins

    assert post_settings(admin, path, allowed_origins=None).status_code == 302

    assert stored_form(app, "demo-contact").allowed_origins == before


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("https://www.example.nl/contact", "no path"),
        ("www.example.nl", "https://"),
        ("ftp://files.example.nl", "https://"),
        ("https://www.example.nl?utm_source=x", "no path, query"),
        ("https://*.example.nl", "without wildcards"),
        ("https://www.example.nl; script-src *", "spaces or punctuation"),
        ("https://user:pw@www.example.nl", "user name or password"),
        ("https://www.example.nl:99999", "port"),
        ("https://exa mple.nl", "spaces"),
        ("https://under_score.nl", "host name"),
    ],
)
def test_a_bad_origin_line_is_refused_with_a_message_naming_that_line(app, admin, line, why):
    answer = create_form(admin, allowed_origins=f"https://www.example.nl\n{line}")

    assert answer.status_code == 422
    message = field_errors(answer)["allowed_origins"]
    assert message.startswith(f"Line 2 ({line}) is not an origin")
    assert why in message
    assert form_values(answer.get_data(as_text=True))["allowed_origins"].endswith(line)
    assert stored_form(app, "spring-ebook") is None


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "cal.example.com/intro", "ftp://cal.example.com", "https://"]
)
def test_the_booking_link_must_be_a_web_address(app, admin, url):
    answer = create_form(admin, booking_url=url)

    assert answer.status_code == 422
    assert field_errors(answer)["booking_url"] == (
        "Enter a web address starting with https:// (or http://)."
    )
    assert form_values(answer.get_data(as_text=True))["booking_url"] == url


def test_a_form_needs_an_address_a_title_and_a_known_kind_and_language(app, admin):
    answer = create_form(
        admin,
        slug="",
        kind="survey",
        language="de",
        questions=["shoe-size"],
        **{"texts_en-title": "  "},
    )

    assert answer.status_code == 422
    errors = field_errors(answer)
    assert errors["slug"] == "Give the form an address, e.g. spring-ebook."
    assert errors["texts_en-title"].startswith("Give the form a title")
    assert errors["kind"] == "Choose a kind of form."
    assert errors["language"] == "Choose a language."
    assert errors["questions"] == "Choose from the listed questions."


def test_a_form_in_dutch_is_shown_in_dutch_whatever_the_browser(app, admin):
    create_form(admin, language="nl")

    page = app.test_client().get("/f/spring-ebook", headers={"Accept-Language": "en"})

    assert stored_form(app, "spring-ebook").language == "nl"
    assert '<html lang="nl">' in page.get_data(as_text=True)


def test_editing_a_form_changes_what_visitors_see(app, admin):
    path = f"/admin/forms/{form_id(app, 'demo-contact')}"
    shown = form_values(admin.get(path).get_data(as_text=True))
    assert shown["questions"] == ["phone", "role", "budget", "timeline", "need"]
    assert shown["booking_url"] == "https://cal.example.com/leadgate/intro"

    answer = post_settings(
        admin, path, questions=["need"], booking_url="", **{"texts_en-title": "Book a demo"}
    )

    assert answer.status_code == 302
    hosted = app.test_client().get("/f/demo-contact").get_data(as_text=True)
    assert "Book a demo" in hosted
    assert 'name="phone"' not in hosted
    form = stored_form(app, "demo-contact")
    assert (form.questions, form.booking_url) == (["need"], None)


def test_the_slug_of_a_form_stays_so_embedded_widgets_keep_working(app, admin):
    Visitor(app.test_client()).submit("demo-contact")
    path = f"/admin/forms/{form_id(app, 'demo-contact')}"
    assert BeautifulSoup(admin.get(path).get_data(as_text=True), "html.parser").select_one(
        "input[name=slug][readonly]"
    )

    answer = post_settings(admin, path, slug="new-demo", **{"texts_en-title": "Book a demo"})

    assert answer.status_code == 422
    assert field_errors(answer)["slug"].startswith("A form keeps its address (demo-contact)")
    assert stored_form(app, "demo-contact").title == "Ask for a demo"
    assert app.test_client().get("/f/demo-contact").status_code == 200


def test_even_a_form_nobody_filled_yet_keeps_its_slug(app, admin):
    """Its snippet may already be on a page, or its QR code in print."""
    create_form(admin)
    path = f"/admin/forms/{form_id(app, 'spring-ebook')}"

    assert post_settings(admin, path, slug="spring-call").status_code == 422

    assert stored_form(app, "spring-call") is None
    assert app.test_client().get("/f/spring-ebook").status_code == 200


def test_an_unknown_form_is_not_found(admin):
    assert admin.get("/admin/forms/999").status_code == 404


def archive(client, app, slug: str, action: str | None = None):
    token = page_inputs(client.get("/admin/forms").get_data(as_text=True))["csrf_token"]
    data = {"csrf_token": token, **({"action": action} if action else {})}
    return client.post(f"/admin/forms/{form_id(app, slug)}/archive", data=data)


def test_archiving_makes_the_form_404_and_restoring_brings_it_back(app, admin):
    visitor = app.test_client()

    archived = archive(admin, app, "demo-contact")

    assert archived.status_code == 302 and archived.location == "/admin/forms"
    assert stored_form(app, "demo-contact").archived_at is not None
    assert visitor.get("/f/demo-contact").status_code == 404
    assert visitor.get("/f/demo-contact?embed=1").status_code == 404
    listing = admin.get("/admin/forms").get_data(as_text=True)
    assert "Archived “Ask for a demo”" in listing and "archived" in listing

    restored = archive(admin, app, "demo-contact")

    assert restored.status_code == 302
    assert stored_form(app, "demo-contact").archived_at is None
    assert visitor.get("/f/demo-contact").status_code == 200


def test_a_double_click_on_archive_leaves_the_form_archived(app, admin):
    archive(admin, app, "demo-contact", "archive")
    archive(admin, app, "demo-contact", "archive")

    assert app.test_client().get("/f/demo-contact").status_code == 404


def test_archiving_from_the_form_page_returns_to_it(app, admin):
    path = f"/admin/forms/{form_id(app, 'demo-contact')}"
    page = page_inputs(admin.get(path).get_data(as_text=True))
    answer = admin.post(
        f"{path}/archive",
        data={"csrf_token": page["csrf_token"], "next": path, "action": "archive"},
    )

    assert answer.location == path


def test_every_admin_form_post_needs_the_csrf_token(app, admin):
    path = f"/admin/forms/{form_id(app, 'demo-contact')}"

    assert admin.post(NEW, data=VALID).status_code == 400
    assert admin.post(path, data={**VALID, "slug": "demo-contact"}).status_code == 400
    assert admin.post(f"{path}/archive").status_code == 400
    assert stored_form(app, "spring-ebook") is None
    assert stored_form(app, "demo-contact").archived_at is None


def test_a_gate_without_an_ebook_is_saved_with_a_warning(app, admin):
    answer = create_form(admin, kind="gate")

    assert answer.status_code == 302
    page = admin.get(answer.location).get_data(as_text=True)
    assert "This gate has no e-book yet" in page
    assert stored_form(app, "spring-ebook").ebook_id is None


def test_only_a_gate_offers_an_ebook(app, admin):
    with app.app_context():
        ebook_id = db.session.scalar(db.select(Ebook.id))

    create_form(admin, kind="contact", ebook_id=str(ebook_id))

    assert stored_form(app, "spring-ebook").ebook_id is None


def test_a_new_gate_made_in_the_admin_works_for_a_visitor_and_serves_the_uploaded_file(app, admin):
    pdf = build_pdf("Pricing for small firms", ["Three plans, one page."])
    assert upload_pdf(admin, "Pricing for small firms", pdf).status_code == 302
    with app.app_context():
        ebook_id = db.session.scalar(db.select(Ebook.id).where(Ebook.title.like("Pricing%")))
    page = BeautifulSoup(admin.get(NEW).get_data(as_text=True), "html.parser")
    assert page.select_one(f"select[name=ebook_id] option[value='{ebook_id}']")

    created = create_form(
        admin,
        slug="pricing",
        kind="gate",
        **{"texts_en-title": "Get the pricing guide", "texts_en-success_text": ""},
        ebook_id=str(ebook_id),
    )

    assert created.status_code == 302
    assert "This gate has no e-book" not in admin.get(created.location).get_data(as_text=True)
    visitor = app.test_client()
    done = Visitor(visitor).submit("pricing")
    assert "Your e-book is ready" in done.get_data(as_text=True)
    ebook = visitor.get(download_link(done))
    assert ebook.status_code == 200
    assert ebook.data == pdf
    assert "filename=guide.pdf" in ebook.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/forms"),
        ("GET", "/admin/forms/new"),
        ("POST", "/admin/forms/new"),
        ("GET", "/admin/forms/1"),
        ("POST", "/admin/forms/1"),
        ("POST", "/admin/forms/1/archive"),
        ("GET", "/admin/ebooks"),
        ("POST", "/admin/ebooks"),
        ("POST", "/admin/ebooks/1/replace"),
    ],
)
def test_a_sales_user_may_not_open_or_change_forms_and_ebooks(app, client, auth, method, path):
    auth.login("sales")
    token = auth.csrf_token()

    answer = client.open(path, method=method, data={"csrf_token": token, **VALID})

    assert answer.status_code == 403
    assert stored_form(app, "spring-ebook") is None


def test_an_ipv6_origin_with_a_zone_id_is_refused(app, admin):
    answer = create_form(admin, allowed_origins="https://[fe80::1%€]")

    assert answer.status_code == 422
    assert "zone id" in field_errors(answer)["allowed_origins"]


def test_the_download_e_mail_is_set_per_form_and_double_opt_in_cannot_be_switched_off(app, admin):
    create_form(admin, slug="gate", kind="gate")
    gate = stored_form(app, "gate")
    assert gate.email_download is False
    path = f"/admin/forms/{gate.id}"
    assert "double_opt_in" not in form_values(admin.get(path).get_data(as_text=True))

    post_settings(admin, path, email_download="y")

    assert stored_form(app, "gate").email_download is True
