"""The hosted form `/f/<slug>`: show it, and take its two steps.

Plain HTML forms that work without JavaScript; htmx requests get only the
form region back. Public pages set no cookies.
"""

from functools import partial
from urllib.parse import urlsplit

from flask import abort, current_app, g, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address

from ..extensions import db, limiter
from ..leads.attribution import attribution_for_page, attribution_from_values
from ..leads.consent import privacy_url, wording_for
from ..leads.embed_counts import count_embedding
from ..leads.form_texts import main_language, texts_for
from ..leads.funnel_counts import count_view
from ..leads.hidden_fields import field_inputs, fields_for_page, fields_from_post
from ..leads.qualification import intake_rules, own_routing
from ..leads.questions import QualifyStepForm, contact_fields, questions_for
from ..leads.recording import NonceTaken, complete_submission, record_contact_step
from ..models import Form, Lead, Submission
from ..notifications.outbox import VISITOR_CONFIRM, VISITOR_DOWNLOAD, mail_visitor
from ..web.htmx import is_htmx, vary_on_htmx
from ..web.i18n import VISITOR_LOCALES
from ..web.origins import may_embed, origin_of, own_origins
from ..web.security_headers import allow_framing
from . import bp
from .blank_pages import hidden_inputs, render_page
from .booking import booking_holes
from .confirm import awaits_confirmation, confirm_url
from .downloads import download_url
from .published import PublishedForm, published_form
from .robots import opened_by_a_person
from .tokens import (
    TokenProblem,
    issue_form_token,
    issue_step_token,
    read_form_token,
    read_step_token,
)

HONEYPOT = "lg_trap"
NOTICES = {
    "foreign": _l("This form cannot be sent from this page. Please use the form's own page."),
    "rate_limited": _l("Too many attempts in a short time. Please wait a minute and send again."),
    "expired": _l("This form was open for a while. Please check your details and send it again."),
    "invalid": _l(
        "Something went wrong with this form. Please check your details and send it again."
    ),
    "too_fast": _l("That was quick! Please check your details and send the form again."),
}


def _active_form(slug: str) -> PublishedForm:
    form = published_form(slug)
    if form is None:
        abort(404)
    g.form_language = main_language(form)
    return form


def _is_header_safe_origin(origin: str) -> bool:
    return origin.isascii() and origin.isprintable() and not any(c in origin for c in " ;,'\"")


def _asked_language() -> str | None:
    """`?lang=` when it is a language the forms speak (anything else is ignored)."""
    asked = request.args.get("lang")
    return asked if asked in VISITOR_LOCALES else None


def _page_context(form: PublishedForm, shown: dict) -> dict:
    """What every page of the form receives, besides `shown` (the step and
    what it shows)."""
    embed = request.args.get("embed") == "1"
    action = url_for(
        "intake.submit", slug=form.slug, lang=_asked_language(), embed="1" if embed else None
    )
    return {
        **shown,
        "form": form,
        "texts": texts_for(form, str(get_locale())),
        "action": action,
        "embed": embed,
        "privacy_url": privacy_url(),
    }


def _respond(form: PublishedForm, status: int = 200, blank=None, holes=None, **shown):
    """Render the whole page, or for htmx only the form region.

    A blank page (`blank` builds its fields) is the same for every visitor
    but for its `holes` (name -> value): rendered once per worker and filled
    in (see blank_pages).
    """
    context = _page_context(form, shown)
    template = "intake/_form.html" if is_htmx() else "intake/form.html"
    if blank is None:
        page = render_template(template, **context, **(holes or {}))
    else:
        # The blank fields are made from the form, the language and the sectors.
        sectors = tuple(intake_rules().sectors)
        page = render_page(template, context, holes or {}, blank, fields_from=sectors)
    return _framed(make_response(page, status), form)


def _framed(response, form: PublishedForm):
    """`response` with the headers every page of the form gets: any site may
    frame it, unless the form lists the sites that may."""
    if form.restrict_embedding:
        # Checked again here: only plain ASCII origins may reach the header.
        allow_framing([o for o in (form.allowed_origins or []) if _is_header_safe_origin(o)])
    else:
        allow_framing(any_site=True)
    response.headers["Cache-Control"] = "no-store"
    return vary_on_htmx(response)


def _contact_step(
    form: PublishedForm,
    fields,
    attribution: dict,
    notice=None,
    status: int = 200,
    origin: str = "",
    shown_at: float | None = None,
    **context,
):
    """The first step, with a fresh token (see tokens.issue_form_token).

    `fields` None: the blank step, as a visitor first sees it.
    """
    holes = {
        "token": issue_form_token(form.id, origin, shown_at),
        "attribution_inputs": hidden_inputs(attribution),
        "field_inputs": hidden_inputs(field_inputs(_carried_fields(form))),
    }
    if fields is None:
        return _respond(form, status, lambda: contact_fields(form), holes, step="contact")
    return _respond(
        form, status, step="contact", fields=fields, holes=holes, notice=notice, **context
    )


def _carried_fields(form: PublishedForm) -> dict:
    """The form's hidden fields for this page: where the host page put them
    when the form is shown, as carried back when it is posted."""
    if request.method == "POST":
        return fields_from_post(form, request.form)
    return fields_for_page(form, request.args)


def _qualify_step(form: PublishedForm, submission_id: int, fields=None, status: int = 200):
    """The second step; `fields` None: blank, as after a valid first step."""
    holes = {"step_token": issue_step_token(submission_id)}
    if fields is None:
        blank = partial(questions_for, QualifyStepForm, form.questions)
        return _respond(form, status, blank, holes, step="qualify")
    return _respond(form, status, step="qualify", fields=fields, holes=holes)


def _done(form: PublishedForm, submission: Submission | None):
    """The thank-you; for a gate with an e-book, its download button; for
    a visitor whose answers make an opportunity, a button to book a call.

    Blank but for the download link, the booking link and the name of the
    person it books with (see booking). What else it says follows from the
    form and this submission's own answers, as if the person were new (a bot
    caught by the honeypot sees a plain one): whether the address is known,
    and how its lead is routed, must not show.
    """
    holes = {}
    if submission and form.ebook_id:
        holes["download"] = download_url(submission)
    if _offers_a_call(submission):
        holes |= booking_holes(submission)
    return _respond(
        form,
        blank=lambda: None,  # no fields
        holes=holes,
        step="done",
        awaiting_confirmation=awaits_confirmation(submission),
    )


def _offers_a_call(submission: Submission | None) -> bool:
    """Whether the submission's own answers route to opportunity."""
    if submission is None:
        return False
    return own_routing(submission, intake_rules()).list == "opportunity"


def _embedding_allowed(form: PublishedForm, origin: str) -> bool:
    """Whether the form may be shown and sent on a page of `origin` ("": its
    own page, not framed); see capture/web/origins.may_embed."""
    return not origin or may_embed(form, origin)


def _is_a_view(form: PublishedForm, origin: str) -> bool:
    """Whether showing the form counts as a view in its funnel.

    Not a HEAD request (a link checker), a robot, the admin's own preview,
    nor an embed on a site the browser will refuse to show it on.
    """
    if not opened_by_a_person():
        return False
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/admin"):
        return False
    return _embedding_allowed(form, origin)


def _is_an_embedding(origin: str) -> bool:
    """Whether showing the form counts where it is embedded: framed by a
    person's browser in a page of another site (not the admin's preview)."""
    return bool(origin) and opened_by_a_person() and origin not in own_origins()


def _post_limit() -> str:
    return current_app.config["LEADS_POST_LIMIT"]


def _post_limit_key() -> str:
    return f"{get_remote_address()}|{request.view_args.get('slug')}"


@bp.get("/")
def home():
    forms = db.session.scalars(
        db.select(Form).where(Form.archived_at.is_(None)).order_by(Form.title)
    ).all()
    return render_template("intake/home.html", forms=forms)


@bp.get("/f/<slug>")
def show(slug: str):
    form = _active_form(slug)
    attribution = attribution_for_page(request.args, request.referrer, request.url)
    # In the embed, the browser's Referer is the page framing the form.
    origin = origin_of(request.referrer) if request.args.get("embed") == "1" else ""
    response = _contact_step(form, None, attribution, origin=origin)
    # Counted once the page is sent: the visitor never waits for the tallies.
    app, form_id = current_app._get_current_object(), form.id
    if _is_a_view(form, origin):
        response.call_on_close(lambda: count_view(app, form_id))
    if _is_an_embedding(origin):
        allowed = _embedding_allowed(form, origin)
        response.call_on_close(lambda: count_embedding(app, form_id, origin, allowed))
    return response


@bp.post("/f/<slug>")
@limiter.limit(_post_limit, key_func=_post_limit_key)
def submit(slug: str):
    form = _active_form(slug)
    if request.form.get(HONEYPOT):
        # A bot filled the hidden field: answer like a success, store nothing.
        return _done(form, None)
    if request.form.get("step") == "qualify":
        return _post_qualify(form)
    return _post_contact(form)


@bp.errorhandler(429)
def too_many_posts(error):
    """Show the posted form again, input kept, rather than a bare error page."""
    form = _active_form(request.view_args["slug"])
    notice = NOTICES["rate_limited"]
    if request.form.get("step") == "qualify":
        fields = questions_for(QualifyStepForm, form.questions, request.form)
        return _respond(
            form,
            429,
            step="qualify",
            fields=fields,
            step_token=request.form.get("step_token", ""),
            notice=notice,
        )
    fields = contact_fields(form, request.form)
    return _contact_step(form, fields, attribution_from_values(request.form), notice, status=429)


def _after_contact(form: PublishedForm):
    """A marketing consent (a newsletter sign-up, a ticked box): e-mail the
    link that confirms it, known address or not."""

    def mail_confirmation(submission: Submission, lead: Lead) -> None:
        if awaits_confirmation(submission):
            mail_visitor(lead, submission, form, VISITOR_CONFIRM, confirm_url(submission))

    return mail_confirmation


def _after_qualify(form: PublishedForm):
    """A gate that says so: e-mail the download link as well."""

    def mail_download(submission: Submission, lead: Lead) -> None:
        if form.kind == "gate" and form.ebook_id and form.email_download:
            mail_visitor(lead, submission, form, VISITOR_DOWNLOAD, download_url(submission))

    return mail_download


def _post_contact(form: PublishedForm):
    attribution = attribution_from_values(request.form)
    fields = contact_fields(form, request.form)
    valid = fields.validate()
    try:
        token = read_form_token(request.form.get("token"), form.id)
    except TokenProblem as problem:
        return _contact_step(
            form, fields, attribution, NOTICES[problem.code], 422, shown_at=problem.shown_at
        )
    again = {"origin": token.origin, "shown_at": token.shown_at}
    if not _embedding_allowed(form, token.origin):
        hosted = url_for("intake.show", slug=form.slug, lang=_asked_language())
        return _contact_step(
            form, fields, attribution, NOTICES["foreign"], 422, hosted_url=hosted, **again
        )
    if not valid:
        return _contact_step(form, fields, attribution, status=422, **again)
    try:
        submission = record_contact_step(
            form,
            fields.data,
            attribution,
            token.nonce,
            request.host,
            consent=wording_for(form),
            fields=fields_from_post(form, request.form),
            then=_after_contact(form),
        )
    except NonceTaken:
        return _contact_step(form, fields, attribution, NOTICES["invalid"], 422, **again)
    if submission.completed_at is not None:
        return _done(form, submission)
    return _qualify_step(form, submission.id)


def _post_qualify(form: PublishedForm):
    fields = questions_for(QualifyStepForm, form.questions, request.form)
    try:
        submission_id = read_step_token(request.form.get("step_token"))
    except TokenProblem:
        # Not a visitor's mistake: start again rather than trust the post.
        attribution = attribution_from_values(request.form)
        contact = contact_fields(form)
        return _contact_step(form, contact, attribution, NOTICES["invalid"], status=422)
    if not fields.validate():
        return _qualify_step(form, submission_id, fields, status=422)
    submission = complete_submission(submission_id, form.id, fields.data, then=_after_qualify(form))
    if submission is None:
        abort(404)
    return _done(form, submission)
