"""The e-book gate's download link: signed, expiring, counted on the lead."""

import hashlib
from datetime import timedelta

from bs4 import BeautifulSoup
from itsdangerous import URLSafeTimedSerializer

from capture.extensions import db
from capture.intake.downloads import DOWNLOAD_SALT
from capture.models import Download, Lead, Submission, utcnow

from ..support.downloads import DayOldSigner, download_link
from ..support.visitor import Visitor


def test_a_completed_gate_offers_the_ebook_and_the_download_is_recorded_on_the_lead(app, client):
    done = Visitor(client).submit("demo-ebook")
    link = download_link(done)

    ebook = client.get(link)

    assert ebook.status_code == 200
    assert ebook.mimetype == "application/pdf"
    assert ebook.data.startswith(b"%PDF-")
    assert "attachment; filename=lead-management.pdf" in ebook.headers["Content-Disposition"]
    with app.app_context():
        (download,) = db.session.scalars(db.select(Download)).all()
        lead = db.session.get(Lead, download.lead_id)
        assert hashlib.sha256(ebook.data).hexdigest() == download.ebook.sha256
        assert lead.last_interest_at >= download.created_at


def test_the_download_is_served_conditionally(app, client):
    link = download_link(Visitor(client).submit("demo-ebook"))
    first = client.get(link)

    again = client.get(link, headers={"If-None-Match": first.headers["ETag"]})
    part = client.get(link, headers={"Range": "bytes=0-7"})

    assert again.status_code == 304
    assert part.status_code == 206 and part.data == b"%PDF-1.4"
    with app.app_context():  # the revalidation and the range request are not downloads
        assert db.session.scalar(db.select(db.func.count(Download.id))) == 1


def test_the_contact_form_offers_no_download(client):
    assert download_link(Visitor(client).submit("demo-contact")) == ""


def test_the_first_step_alone_does_not_unlock_the_ebook(client):
    visitor = Visitor(client)
    visitor.open("demo-ebook")
    second_step = visitor.post({"email": "a@b.nl", "name": "A", "company": "B", "consent": "y"})

    assert download_link(second_step) == ""


def test_a_tampered_download_link_is_not_found(client):
    link = download_link(Visitor(client).submit("demo-ebook"))

    assert client.get(link[:-4] + "AAAA").status_code == 404
    assert client.get("/d/not-a-token").status_code == 404


def test_an_expired_download_link_is_gone_with_a_way_to_fill_the_form_again(app, client):
    Visitor(client).submit("demo-ebook")
    with app.app_context():
        submission_id = db.session.scalar(db.select(Submission.id))
    serializer = URLSafeTimedSerializer(app.secret_key, salt=DOWNLOAD_SALT, signer=DayOldSigner)

    expired = client.get(f"/d/{serializer.dumps({'s': submission_id})}")

    assert expired.status_code == 410
    page = BeautifulSoup(expired.get_data(as_text=True), "html.parser")
    assert "expired" in page.h1.get_text()
    assert page.select_one("a.lg-button")["href"] == "/f/demo-ebook"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Download.id))) == 0


def test_the_link_lives_as_long_as_the_setting_says(make_app):
    from capture.demo.seed import seed_demo

    app = make_app(LEADS_DOWNLOAD_TTL=-1)
    with app.app_context():
        seed_demo()
    client = app.test_client()
    link = download_link(Visitor(client).submit("demo-ebook"))

    assert client.get(link).status_code == 410


def test_a_link_shown_again_later_still_expires_a_day_after_the_form_was_completed(app, client):
    visitor = Visitor(client)
    visitor.open("demo-ebook")
    visitor.post({"email": "a@b.nl", "name": "A", "company": "B", "consent": "y"})
    second_step = visitor.last
    visitor.post({"sector": "ict", "headcount": "50-99"})
    with app.app_context():
        db.session.execute(db.update(Submission).values(completed_at=utcnow() - timedelta(days=2)))
        db.session.commit()

    visitor.last = second_step
    fresh_page = visitor.post({"sector": "ict", "headcount": "50-99"})

    assert client.get(download_link(fresh_page)).status_code == 410
