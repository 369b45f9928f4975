"""`/admin/forms/<id>/embed`: a form's snippet to paste, its live preview, the
hosted link for campaigns, and a QR code of that link for print.

The page's three option forms are GET forms: their values live in the URL,
so a variant can be bookmarked. htmx swaps just the section that asked.
"""

from flask import abort, make_response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.utils import secure_filename
from wtforms import Form as WebForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..domain.vocabulary import CHANNELS, UTM_PARAMS
from ..extensions import db
from ..models import Form
from ..web.base_url import absolute_url
from ..web.htmx import is_htmx, vary_on_htmx
from ..web.labels import CHANNEL_WORDS
from . import bp
from .links import hosted_link, noscript_text, qr_link, qr_png, qr_svg, snippet

DEFAULT_CAMPAIGN = "fair"
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


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SnippetOptions(WebForm):
    lang = SelectField(
        _l("Language (data-lang)"),
        choices=[
            SelectChoice("", _l("The form's own")),
            SelectChoice("nl", _l("Dutch (nl)")),
            SelectChoice("en", _l("English (en)")),
        ],
        default="",
        invalid_choice_message=_l("Choose nl, en or the form's own language."),
    )
    channel = SelectField(
        _l("Fixed channel (data-channel)"),
        choices=[SelectChoice("", _l("Worked out per visitor"))]
        + [SelectChoice(name, CHANNEL_WORDS[name]) for name in CHANNELS if name != "manual"],
        default="",
        invalid_choice_message=_l("Choose one of the listed channels."),
    )


def _utm_field(label, description="") -> StringField:
    return StringField(
        label,
        description=description,
        filters=[_strip],
        validators=[Length(max=200, message=_l("Keep it under 200 characters."))],
    )


class LinkOptions(WebForm):
    utm_source = _utm_field(
        _l("Source (utm_source)"), _l("Where the link is: linkedin, newsletter")
    )
    utm_medium = _utm_field(_l("Medium (utm_medium)"), _l("What kind of link: social, email, cpc"))
    utm_campaign = _utm_field(_l("Campaign (utm_campaign)"), _l("e.g. spring-2026"))
    utm_term = _utm_field(_l("Term (utm_term)"), _l("A paid search keyword"))
    utm_content = _utm_field(
        _l("Content (utm_content)"), _l("Which ad or link, when there are several")
    )


class QrOptions(WebForm):
    qr_campaign = StringField(
        _l("Campaign"),
        default=DEFAULT_CAMPAIGN,
        filters=[_strip],
        validators=[
            DataRequired(_l("Name the campaign, e.g. the fair and its year.")),
            Length(max=200, message=_l("Keep the campaign under 200 characters.")),
        ],
    )
    qr_source = StringField(
        _l("Source (optional)"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("Keep the source under 200 characters."))],
    )


def _valid(field) -> str:
    """A field's value, or empty when it did not validate (the default applies)."""
    return "" if field.errors else (field.data or "")


@bp.get("/forms/<int:form_id>/embed")
def embed(form_id: int):
    """The embed page; an htmx request gets only the section it targets."""
    form = db.get_or_404(Form, form_id)
    options, link, qr = (
        SnippetOptions(request.args),
        LinkOptions(request.args),
        QrOptions(request.args),
    )
    valid = [each.validate() for each in (options, link, qr)]
    form_url = absolute_url("intake.show", slug=form.slug)
    lang, channel = _valid(options.lang), _valid(options.channel)
    utm = {name: _valid(link[name]) for name in UTM_PARAMS}
    campaign, source = _valid(qr.qr_campaign), _valid(qr.qr_source)
    context = {
        "form": form,
        "embed_url": url_for("admin.embed", form_id=form.id),
        "fields_of": FIELDS_OF,
        "options": options,
        "link": link,
        "qr": qr,
        # Not "lang": that is the page's own language (<html lang>).
        "variant_lang": lang,
        "channel": channel,
        "snippet": snippet(
            absolute_url("embed.embed_js"),
            form_url,
            form.slug,
            noscript_text(form.kind, lang or form.language),
            lang,
            channel,
        ),
        "hosted_link": hosted_link(form_url, utm),
        "qr_link": qr_link(form_url, campaign, source) if campaign else None,
        "qr_query": {"utm_campaign": campaign, "utm_source": source or None},
    }
    target = request.headers.get("HX-Target")
    template = SECTIONS[target] if is_htmx() and target in SECTIONS else "admin/embed.html"
    response = make_response(render_template(template, **context), 200 if all(valid) else 422)
    if is_htmx():
        response.headers["HX-Push-Url"] = _address_of_choices(form)
    return vary_on_htmx(response)


def _address_of_choices(form: Form) -> str:
    """This page's address with only the options filled in, for the address bar
    after an htmx swap (the request itself carries every field, empty or not)."""
    names = [name for names in FIELDS_OF.values() for name in names]
    chosen = {name: request.args[name] for name in names if request.args.get(name, "").strip()}
    return url_for("admin.embed", form_id=form.id, **chosen)


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
