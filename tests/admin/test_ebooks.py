"""E-book files: uploads checked by content and size, replacing, download counts."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from capture.admin.uploads import EPUB, PDF, ZIP, UnfitUpload, download_name, file_kind
from capture.demo.ebook import build_pdf
from capture.extensions import db
from capture.models import Download, Ebook, Form

from ..support.admin_forms import field_errors
from ..support.downloads import download_link
from ..support.visitor import Visitor, page_inputs

PAGE = "/admin/ebooks"


@pytest.fixture
def admin(client, auth):
    """The test client, logged in as the site owner."""
    auth.login("admin")
    return client


def epub_bytes() -> bytes:
    """A minimal EPUB: `mimetype` first and stored, then the container and a page."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="book.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        book.writestr("chapter1.xhtml", "<html><body><p>Hello</p></body></html>")
    return out.getvalue()


def zip_bytes(**files: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in (files or {"templates/offer.docx": "not really"}).items():
            archive.writestr(name, text)
    return out.getvalue()


def padded_pdf(size: int) -> bytes:
    """A real PDF of exactly `size` bytes (a comment after the end pads it)."""
    pdf = build_pdf("Big", ["A long one."])
    return pdf + b"%" + b"x" * (size - len(pdf) - 1)


def upload(client, content: bytes, filename: str = "guide.pdf", title: str = "Guide", **extra):
    token = page_inputs(client.get(PAGE).get_data(as_text=True))["csrf_token"]
    data = {"csrf_token": token, "title": title, "file": (io.BytesIO(content), filename), **extra}
    return client.post(PAGE, data={k: v for k, v in data.items() if v is not None})


def replace(client, ebook_id: int, content: bytes, filename: str = "guide-v2.pdf"):
    token = page_inputs(client.get(PAGE).get_data(as_text=True))["csrf_token"]
    return client.post(
        f"{PAGE}/{ebook_id}/replace",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
    )


def ebooks(app) -> list[Ebook]:
    with app.app_context():
        return db.session.scalars(db.select(Ebook).order_by(Ebook.id)).all()


def the_demo_ebook(app) -> Ebook:
    with app.app_context():
        return db.session.scalars(
            db.select(Ebook).join(Form, Form.ebook_id == Ebook.id).where(Form.slug == "demo-ebook")
        ).one()


def stored_file(app, ebook: Ebook) -> Path:
    return Path(app.instance_path) / "ebooks" / ebook.sha256


def rows(response) -> dict:
    """E-book title -> the texts of its row on the e-books page."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {
        row("td")[0].get_text(strip=True): [cell.get_text(" ", strip=True) for cell in row("td")]
        for row in soup.select("table.admin-ebooks tbody tr")
    }


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (build_pdf("T", ["x"]), PDF),
        (b"%PDF-1.7\n", PDF),
        (epub_bytes(), EPUB),
        (zip_bytes(), ZIP),
        # An EPUB needs `mimetype` first; later, it is just a ZIP.
        (zip_bytes(**{"a.txt": "a", "mimetype": "application/epub+zip"}), ZIP),
        (zip_bytes(mimetype="text/plain"), ZIP),
    ],
)
def test_a_file_is_known_by_its_content(content, kind):
    assert file_kind(content) == kind


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"Just some text, saved as report.pdf", "not a PDF, EPUB or ZIP"),
        (b"\x89PNG\r\n\x1a\n....", "not a PDF, EPUB or ZIP"),
        (b" %PDF-1.4", "not a PDF, EPUB or ZIP"),
        (b"PK\x03\x04" + b"\x00" * 200, "damaged or incomplete"),
        (zip_bytes()[:-30], "damaged or incomplete"),
        (b"PK\x05\x06" + b"\x00" * 18, "not a PDF, EPUB or ZIP"),
    ],
)
def test_a_file_that_is_no_pdf_epub_or_zip_is_refused_saying_why(content, message):
    with pytest.raises(UnfitUpload, match=message):
        file_kind(content)


@pytest.mark.parametrize(
    ("uploaded", "kind", "name"),
    [
        ("Guide 2025.pdf", PDF, "Guide_2025.pdf"),
        ("book.zip", EPUB, "book.epub"),
        ("../../etc/passwd", PDF, "etc_passwd.pdf"),
        ("", ZIP, "ebook.zip"),
        (None, PDF, "ebook.pdf"),
    ],
)
def test_visitors_download_the_file_under_a_safe_name_with_the_right_extension(
    uploaded, kind, name
):
    assert download_name(uploaded, kind) == name


def test_a_real_small_pdf_is_uploaded_and_stored_by_its_content_hash(app, admin):
    pdf = build_pdf("Pricing guide", ["One page."])

    answer = upload(admin, pdf, "Pricing Guide.pdf", "Pricing guide")

    assert answer.status_code == 302 and answer.location == PAGE
    ebook = ebooks(app)[-1]
    assert (ebook.title, ebook.filename, ebook.content_type, ebook.size) == (
        "Pricing guide",
        "Pricing_Guide.pdf",
        "application/pdf",
        len(pdf),
    )
    assert ebook.sha256 == hashlib.sha256(pdf).hexdigest()
    assert stored_file(app, ebook).read_bytes() == pdf
    page = admin.get(PAGE)
    assert "Uploaded “Pricing guide” (PDF, " in page.get_data(as_text=True)
    assert rows(page)["Pricing guide"][4] == "0"


def test_a_nul_in_an_uploads_title_or_file_name_is_a_bad_request(app, admin):
    before = len(ebooks(app))
    pdf = build_pdf("Guide", ["One page."])

    assert upload(admin, pdf, "guide.pdf", "Pricing\x00 guide").status_code == 400
    assert upload(admin, pdf, "gu\x00ide.pdf", "Pricing guide").status_code == 400
    demo = the_demo_ebook(app)
    assert replace(admin, demo.id, pdf, "v2\x00.pdf").status_code == 400
    assert len(ebooks(app)) == before
    assert the_demo_ebook(app).sha256 == demo.sha256


def test_an_epub_is_uploaded_as_an_epub(app, admin):
    assert upload(admin, epub_bytes(), "novel.epub", "A novel").status_code == 302

    ebook = ebooks(app)[-1]
    assert (ebook.filename, ebook.content_type) == ("novel.epub", "application/epub+zip")


def test_a_zip_is_uploaded_as_a_zip(app, admin):
    assert upload(admin, zip_bytes(), "templates.zip", "Offer templates").status_code == 302

    ebook = ebooks(app)[-1]
    assert (ebook.filename, ebook.content_type) == ("templates.zip", "application/zip")


def test_a_text_file_named_pdf_is_refused_and_the_title_is_kept(app, admin):
    before = len(ebooks(app))

    answer = upload(admin, b"Dear customer, this is plain text.", "report.pdf", "Report")

    assert answer.status_code == 422
    assert field_errors(answer)["file"] == (
        "This file is not a PDF, EPUB or ZIP file (judged by its content)."
    )
    assert page_inputs(answer.get_data(as_text=True))["title"] == "Report"
    assert len(ebooks(app)) == before


def test_an_upload_says_which_part_is_missing(app, admin):
    token = page_inputs(admin.get(PAGE).get_data(as_text=True))["csrf_token"]

    answer = admin.post(PAGE, data={"csrf_token": token, "title": ""})

    assert answer.status_code == 422
    errors = field_errors(answer)
    assert errors["file"] == "Choose a file to upload."
    assert errors["title"].startswith("Give the e-book a title")


def test_a_file_over_the_size_limit_is_refused_with_a_message(app, admin):
    app.config["LEADS_EBOOK_MAX_BYTES"] = 20_000
    before = len(ebooks(app))

    answer = upload(admin, padded_pdf(20_001), title="Too big")

    assert answer.status_code == 422
    assert field_errors(answer)["file"] == (
        "The file is 20,001 bytes; e-books may be at most 20,000 bytes."
    )
    assert page_inputs(answer.get_data(as_text=True))["title"] == "Too big"
    assert upload(admin, padded_pdf(20_000), title="Just fits").status_code == 302
    assert len(ebooks(app)) == before + 1


def test_a_request_far_over_the_limit_gets_the_page_with_a_message_not_a_bare_error(app, admin):
    app.config["LEADS_EBOOK_MAX_BYTES"] = 20_000
    before = len(ebooks(app))

    answer = upload(admin, padded_pdf(500_000), title="Far too big")

    assert answer.status_code == 413
    assert field_errors(answer)["file"] == "The file is too large: e-books may be at most 20 KB."
    assert BeautifulSoup(answer.get_data(as_text=True), "html.parser").h1.get_text() == "E-books"
    assert len(ebooks(app)) == before


def test_a_pdf_larger_than_the_apps_1_mb_request_limit_is_accepted_up_to_the_ebook_limit(
    app, admin
):
    big = padded_pdf(3 * 1024 * 1024)

    assert upload(admin, big, title="Annual report").status_code == 302

    assert ebooks(app)[-1].size == len(big)


def test_an_upload_needs_the_csrf_token(app, admin):
    before = len(ebooks(app))

    answer = admin.post(
        PAGE, data={"title": "Sneaky", "file": (io.BytesIO(build_pdf("x", [])), "x.pdf")}
    )

    assert answer.status_code == 422
    assert len(ebooks(app)) == before
    replaced = admin.post(
        f"{PAGE}/{the_demo_ebook(app).id}/replace",
        data={"file": (io.BytesIO(build_pdf("x", [])), "x.pdf")},
    )
    assert replaced.status_code == 422
    assert the_demo_ebook(app).filename == "lead-management.pdf"


def test_the_page_shows_which_forms_offer_each_ebook_and_its_downloads(app, admin):
    for email in ("anna@bakkerij-jansen.nl", "piet@bouw-de-vries.nl"):
        visitor = app.test_client()
        visitor.get(download_link(Visitor(visitor).submit("demo-ebook", {"email": email})))

    row = rows(admin.get(PAGE))["Lead management for small firms"]

    assert row[1].startswith("lead-management.pdf")
    assert row[3] == "Free e-book: lead management for small firms"
    assert row[4] == "2"


def test_replacing_changes_the_served_bytes_and_keeps_the_gate_and_the_download_count(app, admin):
    visitor = app.test_client()
    link = download_link(Visitor(visitor).submit("demo-ebook"))
    old = visitor.get(link).data
    ebook = the_demo_ebook(app)
    new = build_pdf("Lead management, second edition", ["Now with a chapter on events."])

    answer = replace(admin, ebook.id, new, "lead-management-2.pdf")

    assert answer.status_code == 302 and answer.location == PAGE
    replaced = the_demo_ebook(app)
    assert replaced.id == ebook.id and replaced.title == ebook.title
    assert (replaced.filename, replaced.size) == ("lead-management-2.pdf", len(new))
    served = visitor.get(link)
    assert served.data == new != old
    assert "filename=lead-management-2.pdf" in served.headers["Content-Disposition"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Download.id))) == 2
    page = admin.get(PAGE)
    assert "Replaced the file of “Lead management for small firms”" in page.get_data(as_text=True)
    assert rows(page)["Lead management for small firms"][4] == "2"


def test_replacing_with_a_file_that_is_no_ebook_keeps_the_old_file(app, admin):
    ebook = the_demo_ebook(app)

    answer = replace(admin, ebook.id, b"<html>not an e-book</html>", "new.pdf")

    assert answer.status_code == 422
    assert field_errors(answer)[f"replace-{ebook.id}-file"].startswith("This file is not a PDF")
    assert the_demo_ebook(app).sha256 == ebook.sha256


def test_replacing_an_unknown_ebook_is_not_found(admin):
    assert replace(admin, 999, build_pdf("x", [])).status_code == 404


def test_a_zip_bomb_dressed_as_an_epub_is_not_unpacked():
    import io
    import tracemalloc
    import zipfile

    from capture.admin.uploads import file_kind

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"\0" * 50_000_000)
    content = packed.getvalue()
    assert len(content) < 100_000
    tracemalloc.start()

    kind = file_kind(content)

    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert kind.label == "ZIP"
    assert peak < 5_000_000, f"{peak:,} bytes unpacked to check the file"
