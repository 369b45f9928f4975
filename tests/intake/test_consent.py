"""Consent with proof: which wording each submission accepted, and when; marketing apart."""

from datetime import timedelta

from bs4 import BeautifulSoup

from capture.domain.vocabulary import FORM_TEXTS
from capture.extensions import db
from capture.leads.recording import record_manual_lead
from capture.models import ConsentVersion, Form, Submission

from ..support.admin_forms import post_settings
from ..support.visitor import CONTACT, Visitor

DEFAULT_EN = "I agree that my details are used to answer this request."
MARKETING_EN = "Also send me news and offers by e-mail. I can unsubscribe at any time."


def submissions(app):
    with app.app_context():
        found = db.session.scalars(db.select(Submission).order_by(Submission.id)).all()
        for submission in found:  # loaded while the session is open
            _ = submission.consent_version, submission.lead
        return found


def set_form(app, slug, language="en", **values):
    """Set columns of the form, and its texts (FORM_TEXTS) in `language`."""
    with app.app_context():
        form = db.session.scalars(db.select(Form).where(Form.slug == slug)).one()
        texts = {lang: dict(written) for lang, written in (form.texts or {}).items()}
        for name, value in values.items():
            if name in FORM_TEXTS:
                texts.setdefault(language, {"title": form.title})[name] = value
            else:
                setattr(form, name, value)
        form.texts = texts
        db.session.commit()


def checkbox(html, name):
    return BeautifulSoup(html, "html.parser").select_one(f"input[name={name}]")


def test_a_submission_records_the_wording_it_accepted_and_when(app, visitor):
    visitor.submit("demo-contact")

    (submission,) = submissions(app)
    version = submission.consent_version
    assert (version.version, version.language, version.text) == (1, "en", DEFAULT_EN)
    assert version.marketing_text == MARKETING_EN
    assert abs(submission.consented_at - submission.created_at) < timedelta(seconds=1)
    assert submission.answers["consent"] is True


def test_a_changed_wording_is_a_new_version_and_earlier_submissions_keep_theirs(app, client):
    Visitor(client).submit("demo-contact", contact={"email": "first@example.nl"})
    set_form(app, "demo-contact", consent_text="You may use my details to call me back.")
    Visitor(client).submit("demo-contact", contact={"email": "second@example.nl"})
    Visitor(client).submit("demo-contact", contact={"email": "third@example.nl"})

    first, second, third = submissions(app)
    assert (first.consent_version.version, first.consent_version.text) == (1, DEFAULT_EN)
    assert second.consent_version.version == third.consent_version.version == 2
    assert second.consent_version.text == "You may use my details to call me back."
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ConsentVersion.id))) == 2


def test_the_form_shows_its_own_wording(app, visitor):
    set_form(app, "demo-contact", consent_text="Bel me terug over mijn vraag.")
    page = visitor.open("demo-contact").get_data(as_text=True)

    soup = BeautifulSoup(page, "html.parser")
    assert soup.select_one("label[for=consent]").get_text(strip=True) == (
        "Bel me terug over mijn vraag."
    )


def test_the_same_form_in_dutch_records_the_dutch_wording_as_its_own_version(app, client):
    Visitor(client).submit("demo-contact", contact={"email": "en@example.nl"})
    Visitor(client).submit("demo-contact", query="lang=nl", contact={"email": "nl@example.nl"})

    english, dutch = submissions(app)
    assert (english.consent_version.language, dutch.consent_version.language) == ("en", "nl")
    assert dutch.consent_version.version == 2
    assert dutch.consent_version.text != DEFAULT_EN and dutch.consent_version.text


def test_marketing_consent_is_a_separate_box_not_ticked_not_needed_and_not_yet_counted(app, client):
    page = Visitor(client).open("demo-contact").get_data(as_text=True)
    box = checkbox(page, "marketing")
    assert box is not None
    assert not box.has_attr("checked") and not box.has_attr("required")
    assert checkbox(page, "consent").has_attr("required")

    Visitor(client).submit("demo-contact", contact={"email": "no@example.nl"})
    Visitor(client).submit("demo-contact", contact={"email": "yes@example.nl", "marketing": "y"})

    without, ticked = submissions(app)
    assert without.marketing_consent is False and without.lead.marketing_consent_at is None
    assert ticked.marketing_consent is True
    # It counts for the lead only once confirmed by e-mail (double opt-in).
    assert ticked.lead.marketing_consent_at is None


def test_marketing_consent_alone_does_not_send_the_form(app, visitor):
    visitor.open("demo-contact")
    answer = visitor.post({**CONTACT, "marketing": "y"})

    assert answer.status_code == 422
    assert submissions(app) == []


def test_a_form_can_leave_the_marketing_consent_out(app, visitor):
    set_form(app, "demo-contact", offers_marketing=False)
    assert checkbox(visitor.open("demo-contact").get_data(as_text=True), "marketing") is None

    visitor.submit("demo-contact", contact={"marketing": "y"})  # a forged box changes nothing

    (submission,) = submissions(app)
    assert submission.marketing_consent is False
    assert submission.consent_version.marketing_text is None


def test_a_newsletter_sign_up_is_the_marketing_consent_once_confirmed(app, visitor):
    with app.app_context():
        db.session.add(Form(slug="news", kind="newsletter", title="Our newsletter", intent="low"))
        db.session.commit()
    page = visitor.open("news").get_data(as_text=True)
    assert checkbox(page, "marketing") is None

    visitor.submit("news", qualify={})

    (submission,) = submissions(app)
    assert submission.marketing_consent is True
    # Double opt-in: the consent counts from the confirmation.
    assert submission.lead.marketing_consent_at is None


def test_every_form_links_to_the_privacy_statement(make_app):
    app = make_app(LEADS_PRIVACY_URL="https://www.example.nl/privacy")
    with app.app_context():
        from capture.demo.seed import seed_demo

        seed_demo()
    client = app.test_client()
    for slug in ("demo-contact", "demo-ebook"):
        soup = BeautifulSoup(client.get(f"/f/{slug}").get_data(as_text=True), "html.parser")
        link = soup.select_one(".lg-privacy a")
        assert link["href"] == "https://www.example.nl/privacy", slug
        assert link["rel"] == ["noopener"]

    Visitor(client).submit("demo-contact")
    (submission,) = submissions(app)
    assert submission.consent_version.privacy_url == "https://www.example.nl/privacy"


def test_no_privacy_link_without_a_web_address(make_app):
    for setting in ("", "javascript:alert(1)"):
        app = make_app(LEADS_PRIVACY_URL=setting)
        with app.app_context():
            from capture.demo.seed import seed_demo

            seed_demo()
        page = app.test_client().get("/f/demo-contact").get_data(as_text=True)
        assert BeautifulSoup(page, "html.parser").select_one(".lg-privacy") is None
        assert "javascript:" not in page


def test_the_admin_sets_the_consent_wording_and_the_marketing_box(app, client, auth):
    auth.login("admin")
    with app.app_context():
        form_id = db.session.scalars(db.select(Form.id).where(Form.slug == "demo-contact")).one()
    path = f"/admin/forms/{form_id}"

    answer = post_settings(
        client,
        path,
        offers_marketing=None,  # unticked
        **{
            "texts_nl-consent_text": "  Neem contact met me op over mijn aanvraag.  ",
            "texts_nl-marketing_text": "",
        },
    )

    assert answer.status_code == 302, answer.get_data(as_text=True)
    with app.app_context():
        form = db.session.get(Form, form_id)
        assert form.texts["nl"]["consent_text"] == "Neem contact met me op over mijn aanvraag."
        assert form.offers_marketing is False and form.texts["nl"]["marketing_text"] == ""
    page = client.get(path).get_data(as_text=True)
    assert "Neem contact met me op over mijn aanvraag." in page


def test_a_lead_entered_by_hand_records_no_consent(app, users):
    with app.test_request_context():
        submission = record_manual_lead(
            {**CONTACT, "sector": "ict", "headcount": "10-49"},
            "high",
            "manual",
            users["sales"][0],
            "nonce-by-hand",
        )
        assert submission.consent_version_id is None and submission.consented_at is None
        assert submission.marketing_consent is False


def test_a_post_sent_again_after_the_wording_changed_records_no_version_of_its_own(app, client):
    # The same rendering sent twice (a retry, a double click) is one
    # submission; a wording changed in between must not leave a version
    # that no submission accepted.
    visitor = Visitor(client)
    visitor.open("demo-contact")
    form_page = visitor.last
    visitor.post({**CONTACT, "consent": "y"})
    set_form(app, "demo-contact", consent_text="You may use my details to call me back.")
    visitor.last = form_page
    replay = visitor.post({**CONTACT, "consent": "y"})

    assert replay.status_code == 200
    (submission,) = submissions(app)
    assert submission.consent_version.text == DEFAULT_EN
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ConsentVersion.id))) == 1
