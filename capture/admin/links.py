"""What a site owner copies or prints for a form: the embed snippet, a hosted
link with campaign values, and a QR code of that link. Plain functions over
plain values: the views pass in this install's absolute URLs.
"""

import io
from html import escape
from urllib.parse import quote, urlencode

import segno

from ..domain.vocabulary import UTM_PARAMS

# What the <noscript> link says, by form kind and language: visitors without
# JavaScript read it on the customer's own page.
NOSCRIPT_TEXT = {
    "en": {
        "gate": "Download the e-book",
        "contact": "Contact us",
        "newsletter": "Sign up for the newsletter",
    },
    "nl": {
        "gate": "Download het e-book",
        "contact": "Neem contact op",
        "newsletter": "Schrijf je in voor de nieuwsbrief",
    },
}
QR_MEDIUM = "event"


def _with_query(url: str, values: dict) -> str:
    """`url` with the non-empty `values` as its query, in the order given.

    Spaces become %20 rather than +: both decode the same, and %20 survives
    tools that do not treat + as a space.
    """
    query = urlencode({k: v for k, v in values.items() if v}, quote_via=quote)
    return f"{url}?{query}" if query else url


def hosted_link(form_url: str, utm: dict) -> str:
    """The hosted form's URL with the given `utm_*` values, empty ones left out."""
    return _with_query(form_url, {name: (utm.get(name) or "").strip() for name in UTM_PARAMS})


def qr_link(form_url: str, campaign: str, source: str | None = None) -> str:
    """The hosted link a printed QR code carries: `utm_medium=event` and the campaign."""
    return hosted_link(
        form_url, {"utm_source": source, "utm_medium": QR_MEDIUM, "utm_campaign": campaign}
    )


def noscript_text(kind: str, language: str | None) -> str:
    """The <noscript> link's words for a form of `kind` in `language` (default English)."""
    return NOSCRIPT_TEXT.get(language or "en", NOSCRIPT_TEXT["en"]).get(kind, "Open the form")


def snippet(
    loader_url: str,
    form_url: str,
    slug: str,
    text: str,
    lang: str | None = None,
    channel: str | None = None,
) -> str:
    """The two lines to paste: the loader tag and a link for visitors without JavaScript.

    `lang` and `channel` become `data-lang` and `data-channel`; the
    <noscript> link carries them too, so it opens the same form.
    """
    options = {"lang": lang, "channel": channel}
    attributes = "".join(
        f' data-{name}="{escape(value)}"' for name, value in options.items() if value
    )
    return (
        f'<script src="{escape(loader_url)}" data-form="{escape(slug)}"{attributes} async>'
        "</script>\n"
        f'<noscript><a href="{escape(_with_query(form_url, options))}">{escape(text)}</a>'
        "</noscript>"
    )


def _qr_code(url: str) -> segno.QRCode:
    # Never a Micro QR (phones' camera apps may not read it); medium error
    # correction, so a scuffed print still scans.
    return segno.make_qr(url, error="m")


def qr_svg(url: str) -> bytes:
    """An SVG QR code of `url`, scaled to a sensible size on screen."""
    out = io.BytesIO()
    _qr_code(url).save(out, kind="svg", scale=6, border=4, xmldecl=True)
    return out.getvalue()


def qr_png(url: str) -> bytes:
    """A PNG QR code of `url`, large enough to print sharply at 300 dpi."""
    out = io.BytesIO()
    _qr_code(url).save(out, kind="png", scale=12, border=4, dpi=300)
    return out.getvalue()
