"""Migrations run on databases that hold data, not only on empty ones."""

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
