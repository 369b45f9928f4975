"""Input no person types, found by fuzzing: never a server error, nothing stored wrong."""

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from capture.extensions import db
from capture.models import Download, Form, Lead, Submission

from ..support.auth import login_token, post_login
from ..support.downloads import download_link
from ..support.visitor import CONTACT, Visitor


def stored_lead(app, email):
    with app.app_context():
        return db.session.scalars(select(Lead).where(Lead.email_key == email)).one_or_none()


def test_a_nul_in_what_was_typed_is_dropped_and_the_rest_kept(app, visitor):
    visitor.submit("demo-contact", contact={"name": "Anna\x00 Jansen", "company": "Bak\x00kerij"})

    lead = stored_lead(app, CONTACT["email"])
    assert (lead.name, lead.company) == ("Anna Jansen", "Bakkerij")


def test_a_nul_in_an_address_is_a_bad_request_and_in_campaign_tags_it_is_dropped(app, client):
    assert client.get("/f/demo%00contact").status_code == 400
    Visitor(client).submit("demo-contact", query="utm_source=news%00letter&utm_medium=email")

    lead = stored_lead(app, CONTACT["email"])
    assert lead.utm_source == "newsletter"


def test_an_address_too_long_once_case_folded_is_refused_with_a_clear_message(app, visitor):
    # 128 characters, but "ΐ" case-folds to three: the key would exceed 320.
    email = "ΐ" * 20 + "@" + ".".join(["ΐ" * 20] * 5) + ".nl"
    visitor.open("demo-contact")
    answer = visitor.post({**CONTACT, "email": email, "consent": "y"})

    assert answer.status_code == 422
    assert "Please enter a valid e-mail address." in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_a_referring_host_of_255_characters_is_cut_to_the_source_column(app, visitor):
    host = ".".join(["a" * 63] * 4)
    visitor.submit("demo-contact", contact={"referrer": f"https://{host}/"})

    lead = stored_lead(app, CONTACT["email"])
    assert lead.source == host[:200]


def test_whitespace_alone_is_no_answer_and_nothing_is_stored_for_it(app, visitor):
    with app.app_context():
        form = db.session.scalars(select(Form).where(Form.slug == "demo-contact")).one()
        form.questions = ["phone", "budget", "timeline", "need"]
        db.session.commit()

    visitor.submit(
        "demo-contact",
        contact={"phone": "\t" * 41},
        qualify={"timeline": " ", "budget": "\r", "need": "\n" * 2001},
    )

    lead = stored_lead(app, CONTACT["email"])
    assert (lead.phone, lead.budget, lead.timeline, lead.need) == (None, None, None, None)
    with app.app_context():
        (submission,) = db.session.scalars(select(Submission)).all()
        assert not {"phone", "budget", "timeline", "need"} & set(submission.answers)


def test_a_head_request_to_a_download_link_is_not_a_download(app, client):
    link = download_link(Visitor(client).submit("demo-ebook"))

    assert client.head(link).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Download)) == 0
    client.get(link).close()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Download)) == 1


def test_a_nul_in_a_login_is_a_bad_request_not_a_server_error(client, users):
    answer = post_login(client, "x\x00@y.nl", "x")
    assert answer.status_code == 400


def test_a_nul_in_the_second_value_of_a_repeated_field_is_a_bad_request_too(client, users):
    fields = [("csrf_token", login_token(client)), ("email", "x@y.nl"), ("email", "x\x00@y.nl")]
    answer = client.post("/login", data=MultiDict([*fields, ("password", "x")]))
    assert answer.status_code == 400
