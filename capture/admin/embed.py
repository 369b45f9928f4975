"""`/admin/forms/<id>/embed`: a form's snippet to paste, its live preview, the
hosted link for campaigns, and a QR code of that link for print.

The page's three option forms (embed_forms.py) are GET forms: their values
live in the URL, so a variant can be bookmarked. htmx swaps just the section
that asked.
"""

from dataclasses import dataclass, fields

from flask import abort, make_response, render_template, request, url_for
from werkzeug.utils import secure_filename

from ..domain.vocabulary import UTM_PARAMS
from ..extensions import db
from ..models import Form
from ..web.base_url import absolute_url
from ..web.htmx import is_htmx, vary_on_htmx
from . import bp
from .embed_forms import DEFAULT_CAMPAIGN, LinkOptions, QrOptions, SnippetOptions
from .links import hosted_link, noscript_text, qr_link, qr_png, qr_svg, snippet

PAGE = "admin/embed.html"
QR_FORMATS = {"svg": (qr_svg, "image/svg+xml"), "png": (qr_png, "image/png")}
# The section an htmx request targets, and the partial that renders it.
SECTIONS = {
    "embed-snippet": "admin/_embed_snippet.html",
    "embed-link": "admin/_embed_link.html",
    "embed-qr": "admin/_embed_qr.html",
}
# The query parameters each section's form owns.
FIELDS_OF = {
    "embed-snippet": ("lang", "channel"),
    "embed-link": UTM_PARAMS,
    "embed-qr": ("qr_campaign", "qr_source"),
}


def _valid(field) -> str:
    """A field's value, or empty when it did not validate (the default applies)."""
    return "" if field.errors else (field.data or "")


@dataclass(frozen=True)
class Variant:
    """The variant the query string asks for: the three option forms as filled
    in, and the values they passed (an invalid value counts as empty)."""

    options: SnippetOptions
    link: LinkOptions
    qr: QrOptions
    valid: bool
    lang: str
    channel: str
    utm: dict[str, str]
    campaign: str
    source: str


def read_variant(args) -> Variant:
    """Fill and validate the option forms from `args`; every form shows its own errors."""
    options, link, qr = SnippetOptions(args), LinkOptions(args), QrOptions(args)
    valid = [each.validate() for each in (options, link, qr)]
    return Variant(
        options=options,
        link=link,
        qr=qr,
        valid=all(valid),
        lang=_valid(options.lang),
        channel=_valid(options.channel),
        utm={name: _valid(link[name]) for name in UTM_PARAMS},
        campaign=_valid(qr.qr_campaign),
        source=_valid(qr.qr_source),
    )


@dataclass(frozen=True)
class EmbedPage:
    """What the embed page shows; the fields are the templates' names."""

    form: Form
    embed_url: str
    fields_of: dict
    options: SnippetOptions
    link: LinkOptions
    qr: QrOptions
    # Not "lang": that is the page's own language (<html lang>).
    variant_lang: str
    channel: str
    snippet: str
    hosted_link: str
    qr_link: str | None
    qr_query: dict

    def context(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def _snippet_of(form: Form, form_url: str, variant: Variant) -> str:
    return snippet(
        absolute_url("embed.embed_js"),
        form_url,
        form.slug,
        noscript_text(form.kind, variant.lang or form.language),
        variant.lang,
        variant.channel,
    )


def embed_page(form: Form, variant: Variant) -> EmbedPage:
    """The snippet, hosted link and QR code of `form` in the chosen variant."""
    form_url = absolute_url("intake.show", slug=form.slug)
    campaign, source = variant.campaign, variant.source
    return EmbedPage(
        form=form,
        embed_url=url_for("admin.embed", form_id=form.id),
        fields_of=FIELDS_OF,
        options=variant.options,
        link=variant.link,
        qr=variant.qr,
        variant_lang=variant.lang,
        channel=variant.channel,
        snippet=_snippet_of(form, form_url, variant),
        hosted_link=hosted_link(form_url, variant.utm),
        qr_link=qr_link(form_url, campaign, source) if campaign else None,
        qr_query={"utm_campaign": campaign, "utm_source": source or None},
    )


def _template() -> str:
    """The partial of the section an htmx request targets, else the whole page."""
    target = request.headers.get("HX-Target")
    return SECTIONS[target] if is_htmx() and target in SECTIONS else PAGE


def _address_of_choices(form: Form) -> str:
    """This page's address with only the options filled in, for the address bar
    after an htmx swap (the request itself carries every field, empty or not)."""
    names = [name for names in FIELDS_OF.values() for name in names]
    chosen = {name: request.args[name] for name in names if request.args.get(name, "").strip()}
    return url_for("admin.embed", form_id=form.id, **chosen)


@bp.get("/forms/<int:form_id>/embed")
def embed(form_id: int):
    """The embed page; an htmx request gets only the section it targets.

    An invalid option answers 422, with its message and the default in its place.
    """
    form = db.get_or_404(Form, form_id)
    variant = read_variant(request.args)
    body = render_template(_template(), **embed_page(form, variant).context())
    response = make_response(body, 200 if variant.valid else 422)
    if is_htmx():
        response.headers["HX-Push-Url"] = _address_of_choices(form)
    return vary_on_htmx(response)


@bp.get("/forms/<int:form_id>/qr.<fmt>")
def qr(form_id: int, fmt: str):
    """The form's hosted link with `utm_medium=event` and a campaign, as a QR code.

    `fmt` is svg or png (checked here rather than by an `any()` converter, so
    a wrong one still meets the admin check first); `?download=1` saves it.
    """
    if fmt not in QR_FORMATS:
        abort(404)
    form = db.get_or_404(Form, form_id)
    campaign = (request.args.get("utm_campaign") or "").strip() or DEFAULT_CAMPAIGN
    source = (request.args.get("utm_source") or "").strip()
    if len(campaign) > 200 or len(source) > 200:
        abort(400)
    url = qr_link(absolute_url("intake.show", slug=form.slug), campaign, source)
    render, mimetype = QR_FORMATS[fmt]
    response = make_response(render(url))
    response.mimetype = mimetype
    if request.args.get("download") == "1":
        name = f"{form.slug}-qr-{secure_filename(campaign) or 'campaign'}.{fmt}"
        response.headers.set("Content-Disposition", "attachment", filename=name)
    return response
