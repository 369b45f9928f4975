"""The least an intake can do, as a yardstick for bench/intake_throughput.py.

The same HTTP shape as Leadgate's hosted form, with nothing else: GET
`/f/<slug>` renders a small form carrying a signed, timestamped token
(itsdangerous, as capture/intake/tokens.py); POST checks the token, the
e-mail address (email-validator) and the name, inserts one row and answers
a small thank-you. No attribution, scoring, routing, counters or
translations. Flask + Flask-SQLAlchemy on the same databases (a SQLite file
in WAL mode, or PostgreSQL), served by the repo's gunicorn.conf.py:

    DATABASE_URL=sqlite:////tmp/minimal.db python bench/minimal_app.py init-db
    DATABASE_URL=sqlite:////tmp/minimal.db SECRET_KEY=x PORT=8090 \\
        gunicorn -c gunicorn.conf.py --pythonpath bench minimal_app:app
"""

import os
import secrets
import sqlite3
import sys
import time
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from flask import Flask, abort, render_template, request
from flask_sqlalchemy import SQLAlchemy
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import DictLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

SLUGS = {"demo-contact", "demo-ebook"}
MAX_AGE = 4 * 3600

db = SQLAlchemy()


class Signup(db.Model):
    __tablename__ = "signups"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(db.String(100))
    email: Mapped[str] = mapped_column(db.String(254))
    name: Mapped[str] = mapped_column(db.String(200))
    # The token's nonce: a form rendering is stored once, like Leadgate's.
    nonce: Mapped[str] = mapped_column(db.String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(UTC))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """The same SQLite settings as Leadgate (capture/extensions.py)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main>
{% if done %}<p>Thank you, {{ name }}. We will be in touch.</p>
{% else %}<h1>{{ title }}</h1>
{% if error %}<p role="alert">{{ error }}</p>{% endif %}
<form method="post" action="/f/{{ slug }}">
  <input type="hidden" name="token" value="{{ token }}">
  <label>Work e-mail <input type="email" name="email" value="{{ email }}" required></label>
  <label>Name <input name="name" value="{{ name }}" required></label>
  <button type="submit">Send</button>
</form>{% endif %}
</main></body></html>
"""


def create_app() -> Flask:
    app = Flask(__name__)
    # One template, loaded (and compiled once) the way Flask loads files.
    app.jinja_loader = DictLoader({"page.html": PAGE})
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "minimal")
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)
    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="minimal.form")

    def page(slug, status=200, **context):
        token = signer.dumps({"s": slug, "n": secrets.token_urlsafe(18), "t": int(time.time())})
        html = render_template(
            "page.html", title="Ask for a demo", slug=slug, token=token, **context
        )
        return html, status, {"Cache-Control": "no-store"}

    @app.get("/f/<slug>")
    def show(slug):
        if slug not in SLUGS:
            abort(404)
        return page(slug)

    @app.post("/f/<slug>")
    def submit(slug):
        if slug not in SLUGS:
            abort(404)
        email, name = request.form.get("email", ""), request.form.get("name", "").strip()
        try:
            payload = signer.loads(request.form.get("token", ""), max_age=MAX_AGE)
            if payload.get("s") != slug:
                raise BadSignature("another form")
        except BadSignature:
            return page(slug, 422, error="Please send the form again.", email=email, name=name)
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            return page(slug, 422, error="Please enter a valid e-mail address.", name=name)
        if not name or len(name) > 200:
            return page(slug, 422, error="Please enter your name.", email=email)
        db.session.add(Signup(slug=slug, email=email, name=name, nonce=payload["n"]))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # the same rendering sent twice: it is stored already
        return render_template("page.html", title="Thank you", done=True, name=name)

    @app.get("/healthz")
    def healthz():
        db.session.execute(db.text("select 1"))
        return {"status": "ok"}

    return app


app = create_app() if "DATABASE_URL" in os.environ else None

if __name__ == "__main__":
    # `python bench/minimal_app.py init-db`: the table, before gunicorn starts.
    if sys.argv[1:] != ["init-db"]:
        sys.exit("usage: DATABASE_URL=... python bench/minimal_app.py init-db")
    with create_app().app_context():
        db.create_all()
