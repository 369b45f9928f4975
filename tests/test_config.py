"""Settings from the environment, the dev secret key, and SQLite that several
workers can share."""

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, text

from capture import create_app
from capture.config import DEFAULTS, settings_from_env
from capture.db.connections import WRITE_OPTION
from capture.db.transactions import begin_write
from capture.extensions import db
from capture.models import Form


@pytest.fixture
def clean_environ(monkeypatch):
    """No setting comes from the environment of whoever runs the tests."""
    for name in DEFAULTS:
        monkeypatch.delenv(name, raising=False)


def test_environment_values_are_read_as_the_type_of_their_default():
    settings = settings_from_env(
        {
            "LEADS_MIN_FILL_SECONDS": "7",
            "RATELIMIT_ENABLED": "false",
            "RATELIMIT_STORAGE_URI": "redis://r:6379/0",
        }
    )

    assert settings["LEADS_MIN_FILL_SECONDS"] == 7
    assert settings["RATELIMIT_ENABLED"] is False
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://r:6379/0"


@pytest.mark.parametrize(("raw", "enabled"), [("1", True), ("yes", True), ("0", False)])
def test_a_flag_is_on_only_for_a_true_word(raw, enabled):
    assert settings_from_env({"RATELIMIT_ENABLED": raw})["RATELIMIT_ENABLED"] is enabled


def test_unset_settings_keep_their_defaults():
    settings = settings_from_env({})

    assert settings["LEADS_DOWNLOAD_TTL"] == 86400
    assert settings["LEADS_MIN_FILL_SECONDS"] == 3
    assert settings["RATELIMIT_ENABLED"] is True


def test_without_a_secret_key_a_dev_key_is_kept_in_the_instance_folder(tmp_path, clean_environ):
    config = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite:///" + str(tmp_path / "x.db")}

    first = create_app(config)
    second = create_app(config)

    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert key_file.stat().st_mode & 0o077 == 0


def test_by_default_the_database_is_a_sqlite_file_in_the_instance_folder(tmp_path, clean_environ):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert url.startswith("sqlite:///")
    assert Path(url.removeprefix("sqlite:///")).parent == tmp_path


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas")
        pragma = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }

    assert pragma["journal_mode"] == "wal"
    assert pragma["busy_timeout"] > 0
    assert pragma["foreign_keys"] == 1


def test_two_writers_that_read_then_write_at_the_same_time_both_succeed(app):
    start = threading.Barrier(2, timeout=10)
    errors = []

    def add_form(slug):
        try:
            with app.app_context():
                start.wait()
                begin_write()
                seen = db.session.scalar(db.select(func.count(Form.id)))
                # Hold the read open, so both transactions overlap before writing.
                time.sleep(0.3)
                db.session.add(Form(slug=slug, kind="contact", title=f"{seen}", intent="high"))
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=add_form, args=(f"worker-{n}",)) for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    assert errors == []
    with app.app_context():
        slugs = set(db.session.scalars(db.select(Form.slug)))
    assert {"worker-1", "worker-2"} <= slugs


def test_readers_do_not_take_the_sqlite_write_lock(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite locking")
    with app.app_context():
        db.session.scalar(db.select(func.count(Form.id)))  # an open read transaction
        writer = db.engine.connect().execution_options(**{WRITE_OPTION: True})
        with writer:
            writer.exec_driver_sql("PRAGMA busy_timeout=0")
            # Its BEGIN IMMEDIATE fails at once if the reader holds the write lock.
            writer.exec_driver_sql("SELECT 1")
            writer.rollback()
        db.session.rollback()
