"""The embed page: the snippet to paste, its variants, the campaign link
builder and the QR code for print."""

import struct
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from bs4 import BeautifulSoup

from capture.admin.links import hosted_link, qr_link, snippet
from capture.extensions import db
from capture.models import Form, utcnow

README_SNIPPET = (
    '<script src="http://localhost/embed.js" data-form="demo-ebook" async></script>\n'
    '<noscript><a href="http://localhost/f/demo-ebook">Download the e-book</a></noscript>'
)


def form_id(app, slug="demo-ebook") -> int:
    with app.app_context():
        return db.session.scalar(db.select(Form.id).where(Form.slug == slug))


def soup_of(answer) -> BeautifulSoup:
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


def snippet_on(answer) -> str:
    return soup_of(answer).select_one("textarea#embed-snippet-code").get_text()


def open_embed(client, app, slug="demo-ebook", **query):
    return client.get(f"/admin/forms/{form_id(app, slug)}/embed", query_string=query)


def decode_qr_png(data: bytes) -> str:
    """Read the QR code in a PNG as segno writes it (1-bit grey) with zxing-cpp."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    position, compressed = 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            compressed += body
        position += 12 + length
    assert (depth, colour) == (1, 0), "expected 1-bit greyscale"
    raw, stride = zlib.decompress(compressed), (width + 7) // 8
    pixels, previous = bytearray(), bytes(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]
        if kind == 2:  # "Up": add the row above
            line = bytes((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        assert kind in (0, 2), f"unexpected PNG filter {kind}"
        previous = line
        pixels += bytes(255 if line[x // 8] >> (7 - x % 8) & 1 else 0 for x in range(width))
    (code,) = zxingcpp.read_barcodes(memoryview(bytes(pixels)).cast("B", (height, width)))
    return code.text


# The snippet


def test_the_snippet_is_the_readme_one_with_this_installs_urls(app, client, auth):
    auth.login("admin")

    answer = open_embed(client, app)

    assert answer.status_code == 200
    assert snippet_on(answer) == README_SNIPPET


def test_the_snippet_names_the_form_slug_the_loader_url_and_a_noscript_link(app, client, auth):
    auth.login("admin")

    pasted = BeautifulSoup(snippet_on(open_embed(client, app, "demo-contact")), "html.parser")

    script = pasted.select_one("script")
    assert script["src"] == "http://localhost/embed.js"
    assert script["data-form"] == "demo-contact"
    assert script.has_attr("async")
    assert pasted.select_one("noscript a")["href"] == "http://localhost/f/demo-contact"


def test_the_snippet_link_and_qr_code_use_the_base_url_whatever_address_the_admin_used(
    app, client, auth
):
    app.config["LEADS_BASE_URL"] = "https://leads.example.nl"
    auth.login("admin")
    elsewhere = "https://localhost:8443"

    answer = client.get(f"/admin/forms/{form_id(app)}/embed", base_url=elsewhere)
    qr = client.get(f"/admin/forms/{form_id(app)}/qr.png", base_url=elsewhere)

    assert 'src="https://leads.example.nl/embed.js"' in snippet_on(answer)
    assert 'href="https://leads.example.nl/f/demo-ebook"' in snippet_on(answer)
    hosted = soup_of(answer).select_one("input#embed-hosted-link")["value"]
    assert hosted == "https://leads.example.nl/f/demo-ebook"
    assert decode_qr_png(qr.data).startswith("https://leads.example.nl/f/demo-ebook?")


def test_variants_add_data_lang_and_data_channel_to_the_snippet_and_its_link(app, client, auth):
    auth.login("admin")

    pasted = BeautifulSoup(
        snippet_on(open_embed(client, app, lang="nl", channel="event")), "html.parser"
    )

    script = pasted.select_one("script")
    assert (script["data-lang"], script["data-channel"]) == ("nl", "event")
    link = pasted.select_one("noscript a")
    assert parse_qs(urlsplit(link["href"]).query) == {"lang": ["nl"], "channel": ["event"]}
    assert link.get_text() == "Download het e-book"


def test_an_unknown_variant_is_refused_with_a_message_and_the_plain_snippet(app, client, auth):
    auth.login("admin")

    answer = open_embed(client, app, lang="fr", channel="manual")

    assert answer.status_code == 422
    page = soup_of(answer)
    assert page.select_one("#lang-error") and page.select_one("#channel-error")
    assert snippet_on(answer) == README_SNIPPET


def test_the_page_previews_the_widget_with_the_loader_and_says_it_is_live(app, client, auth):
    auth.login("admin")

    page = soup_of(open_embed(client, app, lang="en"))

    preview = page.select_one("#embed-preview-box script")
    # Relative: the preview runs on whatever address the admin has open.
    assert preview["src"] == "/embed.js"
    assert (preview["data-form"], preview["data-lang"]) == ("demo-ebook", "en")
    assert "becomes a real lead" in page.select_one("#embed-snippet").get_text()
    copy = page.select_one("button[data-copy='#embed-snippet-code']")
    assert copy is not None
    assert page.select_one("script[src='/static/js/admin-copy.js']") is not None
    assert not page.select("script:not([src])"), "no inline scripts"


def test_an_archived_form_says_so_and_has_no_preview(app, client, auth):
    with app.app_context():
        db.session.get(Form, form_id(app)).archived_at = utcnow()
        db.session.commit()
    auth.login("admin")

    page = soup_of(open_embed(client, app))

    assert "This form is archived" in page.get_text()
    assert page.select_one("#embed-preview-box script") is None


def test_an_unknown_form_has_no_embed_page(client, auth):
    auth.login("admin")

    assert client.get("/admin/forms/999999/embed").status_code == 404


def test_htmx_gets_only_the_section_it_asked_for(app, client, auth):
    auth.login("admin")

    answer = client.get(
        f"/admin/forms/{form_id(app)}/embed",
        query_string={"utm_source": "linkedin", "utm_medium": "", "lang": "nl", "channel": ""},
        headers={"HX-Request": "true", "HX-Target": "embed-link"},
    )

    html = answer.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card embed-section" id="embed-link"')
    assert "embed-snippet-code" not in html and "<html" not in html
    assert "HX-Request" in answer.headers["Vary"]
    pushed = urlsplit(answer.headers["HX-Push-Url"])
    assert pushed.path == f"/admin/forms/{form_id(app)}/embed"
    assert parse_qs(pushed.query) == {"lang": ["nl"], "utm_source": ["linkedin"]}


def test_without_javascript_each_section_sends_the_others_choices_along(app, client, auth):
    auth.login("admin")

    page = soup_of(open_embed(client, app, lang="nl", utm_source="linkedin", qr_campaign="Beurs"))

    def kept(section):
        return {i["name"]: i["value"] for i in page.select(f"#{section}-form noscript input")}

    assert kept("embed-snippet") == {"utm_source": "linkedin", "qr_campaign": "Beurs"}
    assert kept("embed-link") == {"lang": "nl", "qr_campaign": "Beurs"}
    assert kept("embed-qr") == {"lang": "nl", "utm_source": "linkedin"}


# The hosted link builder


@pytest.mark.parametrize(
    "utm",
    [
        {"utm_source": "linkedin", "utm_medium": "social", "utm_campaign": "spring 2026"},
        {"utm_campaign": "Q&A = live #1", "utm_content": "50% off?/yes"},
        {"utm_source": "nieuwsbrief", "utm_term": "crème brûlée € ✓", "utm_content": "zoë+1"},
    ],
)
def test_the_hosted_link_encodes_values_and_they_round_trip(utm):
    link = hosted_link("https://leads.example.nl/f/demo-ebook", utm)

    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "leads.example.nl",
        "/f/demo-ebook",
    )
    assert parse_qs(parts.query, strict_parsing=True) == {k: [v] for k, v in utm.items()}
    assert " " not in link and link.isascii()


def test_the_link_builder_shows_the_encoded_hosted_link(app, client, auth):
    auth.login("admin")
    utm = {"utm_source": "linkedin", "utm_campaign": "Beurs & Co 2026", "utm_term": "ß é"}

    answer = open_embed(client, app, **utm, utm_medium="")

    shown = soup_of(answer).select_one("input#embed-hosted-link")["value"]
    assert shown.startswith("http://localhost/f/demo-ebook?")
    assert parse_qs(urlsplit(shown).query) == {k: [v] for k, v in utm.items()}
    assert soup_of(answer).select_one("input#utm_campaign")["value"] == "Beurs & Co 2026"


def test_empty_utm_fields_leave_the_plain_hosted_link():
    assert hosted_link("http://x/f/a", {"utm_source": "  ", "utm_medium": ""}) == "http://x/f/a"


def test_a_too_long_utm_value_is_refused_with_a_message_and_kept(app, client, auth):
    auth.login("admin")

    answer = open_embed(client, app, utm_campaign="x" * 201)

    assert answer.status_code == 422
    page = soup_of(answer)
    assert page.select_one("#utm_campaign-error")
    assert page.select_one("input#utm_campaign")["value"] == "x" * 201
    assert page.select_one("input#embed-hosted-link")["value"] == "http://localhost/f/demo-ebook"


def test_the_snippet_escapes_what_it_is_given():
    pasted = snippet("https://l.example/embed.js", "https://l.example/f/x", 'x"><b', "Go <now>")

    assert 'data-form="x&quot;&gt;&lt;b"' in pasted and "Go &lt;now&gt;" in pasted


# The QR code


def test_the_qr_code_decodes_to_the_hosted_link_with_event_medium_and_the_campaign(
    app, client, auth
):
    auth.login("admin")
    query = {"utm_campaign": "Vakbeurs Utrecht 2026", "utm_source": "stand 12"}

    answer = client.get(f"/admin/forms/{form_id(app)}/qr.png", query_string=query)

    decoded = decode_qr_png(answer.data)
    assert decoded == (
        "http://localhost/f/demo-ebook"
        "?utm_source=stand%2012&utm_medium=event&utm_campaign=Vakbeurs%20Utrecht%202026"
    )
    assert decoded == qr_link("http://localhost/f/demo-ebook", "Vakbeurs Utrecht 2026", "stand 12")
    assert parse_qs(urlsplit(decoded).query) == {
        "utm_source": ["stand 12"],
        "utm_medium": ["event"],
        "utm_campaign": ["Vakbeurs Utrecht 2026"],
    }


def test_the_qr_campaign_defaults_to_fair(app, client, auth):
    auth.login("admin")

    answer = client.get(f"/admin/forms/{form_id(app)}/qr.png")

    assert decode_qr_png(answer.data) == (
        "http://localhost/f/demo-ebook?utm_medium=event&utm_campaign=fair"
    )


def test_the_qr_code_comes_as_svg_and_png_with_their_content_types(app, client, auth):
    auth.login("admin")
    base = f"/admin/forms/{form_id(app)}/qr"

    svg = client.get(f"{base}.svg", query_string={"utm_campaign": "fair"})
    png = client.get(f"{base}.png", query_string={"utm_campaign": "fair"})

    assert (svg.status_code, svg.mimetype) == (200, "image/svg+xml")
    assert b"<svg" in svg.data and "Content-Disposition" not in svg.headers
    assert (png.status_code, png.mimetype) == (200, "image/png")
    assert png.data.startswith(b"\x89PNG")
    assert client.get(f"{base}.gif").status_code == 404


def test_download_saves_the_qr_code_as_a_named_file(app, client, auth):
    auth.login("admin")
    base = f"/admin/forms/{form_id(app)}/qr"

    for fmt in ("svg", "png"):
        answer = client.get(
            f"{base}.{fmt}", query_string={"utm_campaign": "Beurs 2026", "download": "1"}
        )
        assert answer.headers["Content-Disposition"] == (
            f"attachment; filename=demo-ebook-qr-Beurs_2026.{fmt}"
        )


def test_the_embed_page_shows_the_qr_code_and_its_downloads_for_the_campaign(app, client, auth):
    auth.login("admin")
    fid = form_id(app)

    page = soup_of(open_embed(client, app, qr_campaign="Beurs 2026", qr_source="stand"))

    image = page.select_one("#embed-qr img")
    src = urlsplit(image["src"])
    assert src.path == f"/admin/forms/{fid}/qr.svg"
    assert parse_qs(src.query) == {"utm_campaign": ["Beurs 2026"], "utm_source": ["stand"]}
    assert client.get(image["src"]).mimetype == "image/svg+xml"
    downloads = [a["href"] for a in page.select("#embed-qr .qr-downloads a")]
    assert [urlsplit(href).path for href in downloads] == [
        f"/admin/forms/{fid}/qr.svg",
        f"/admin/forms/{fid}/qr.png",
    ]
    assert all("download=1" in href for href in downloads)
    assert page.select_one("#embed-qr figcaption").get_text(strip=True) == (
        "http://localhost/f/demo-ebook?utm_source=stand&utm_medium=event&utm_campaign=Beurs%202026"
    )


def test_an_empty_qr_campaign_is_refused_with_a_message(app, client, auth):
    auth.login("admin")

    answer = open_embed(client, app, qr_campaign="  ")

    assert answer.status_code == 422
    page = soup_of(answer)
    assert "Name the campaign" in page.select_one("#qr_campaign-error").text
    assert page.select_one("#embed-qr img") is None


# Who may


def test_a_sales_user_gets_403_on_the_embed_page_and_the_qr_codes(app, client, auth):
    auth.login("sales")
    fid = form_id(app)

    for path in (
        f"/admin/forms/{fid}/embed",
        f"/admin/forms/{fid}/qr.svg",
        f"/admin/forms/{fid}/qr.png",
    ):
        assert client.get(path).status_code == 403, path
