"""Migrations run on databases that hold data, not only on empty ones."""

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from capture import create_app
from capture.extensions import db

from .support.config import base_config

BEFORE_RETURNING_LEADS = "b7e1c4a9d2f0"


def test_dropping_the_double_opt_in_switch_keeps_forms_that_leads_point_at(tmp_path):
    # SQLite enforces the foreign keys here: rebuilding `forms` would fail.
    app = create_app(base_config(f"sqlite:///{tmp_path}/old.db", tmp_path))
    with app.app_context():
        upgrade(revision=BEFORE_RETURNING_LEADS)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO forms (id, slug, kind, title, intro, questions, intent,"
                    " success_text, allowed_origins, email_download, double_opt_in,"
                    " offers_marketing, created_at) VALUES (1, 'news', 'newsletter', 'News',"
                    " '', '[]', 'low', '', '[]', false, false, true, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO leads (email_key, email, name, company, list, reason, pinned,"
                    " fit_score, engagement_score, score, score_reasons, channel,"
                    " first_form_id, first_interest_at, last_interest_at, created_at)"
                    " VALUES ('a@b.nl', 'a@b.nl', 'A', '', 'nurture', '', false, 0, 0, 0,"
                    " '[]', 'direct', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                )
            )

        upgrade()

        columns = {column["name"] for column in inspect(db.engine).get_columns("forms")}
        assert "double_opt_in" not in columns
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT first_form_id FROM leads")) == 1
            assert connection.scalar(text("SELECT changed_answers FROM leads")) is None

        downgrade(revision=BEFORE_RETURNING_LEADS)
        upgrade()
        db.engine.dispose()


BEFORE_EMBEDDING_ANYWHERE = "b5e8d2c4f1a7"


def test_forms_with_sites_listed_stay_restricted_and_their_texts_move_to_their_language(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path}/old.db", tmp_path))
    with app.app_context():
        upgrade(revision=BEFORE_EMBEDDING_ANYWHERE)
        with db.engine.begin() as connection:
            for slug, language, origins in (
                ("listed", "nl", '["https://www.example.nl"]'),
                ("open", None, "[]"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO forms (slug, kind, title, intro, language, questions,"
                        " intent, success_text, allowed_origins, email_download,"
                        " offers_marketing, consent_text, marketing_text, created_at)"
                        " VALUES (:slug, 'contact', 'T ' || :slug, 'Intro', :language, '[]',"
                        " 'high', 'Thanks', :origins, false, true, 'I agree', NULL,"
                        " CURRENT_TIMESTAMP)"
                    ),
                    {"slug": slug, "language": language, "origins": origins},
                )

        upgrade()

        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT slug, restrict_embedding, allowed_origins, texts FROM forms")
            ).all()
        forms = {row.slug: row for row in rows}
        assert bool(forms["listed"].restrict_embedding) is True
        assert bool(forms["open"].restrict_embedding) is False
        listed_texts = json.loads(forms["listed"].texts)
        assert list(listed_texts) == ["nl"]
        assert listed_texts["nl"]["title"] == "T listed"
        assert listed_texts["nl"]["intro"] == "Intro"
        assert listed_texts["nl"]["success_text"] == "Thanks"
        assert listed_texts["nl"]["consent_text"] == "I agree"
        assert listed_texts["nl"]["marketing_text"] == ""
        assert list(json.loads(forms["open"].texts)) == ["en"]
        columns = {column["name"] for column in inspect(db.engine).get_columns("forms")}
        assert not columns & {"intro", "success_text", "consent_text", "marketing_text"}

        downgrade(revision=BEFORE_EMBEDDING_ANYWHERE)
        with db.engine.connect() as connection:
            back = connection.execute(
                text("SELECT intro, success_text, consent_text FROM forms WHERE slug = 'listed'")
            ).one()
        assert tuple(back) == ("Intro", "Thanks", "I agree")
        upgrade()
        db.engine.dispose()
