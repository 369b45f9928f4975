"""The least an intake can do, as a yardstick for bench/intake_throughput.py.

The same HTTP shape as Leadgate's hosted form, with nothing else:

- GET `/f/<slug>` renders a small form carrying a signed, timestamped token
  (itsdangerous, as capture/intake/tokens.py);
- POST (the contact step) checks the token, the e-mail address
  (email-validator) and the name, inserts one row and answers the second
  step: two selects and a signed token naming the row;
- POST with `step=qualify` checks that token and the two answers, updates
  the row and answers a small thank-you.

No attribution, scoring, routing, counters or translations. Flask +
Flask-SQLAlchemy on the same databases (a SQLite file
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
    sector: Mapped[str | None] = mapped_column(db.String(40))
    headcount: Mapped[str | None] = mapped_column(db.String(20))
    completed_at: Mapped[datetime | None]


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


SECTORS = ("agriculture", "construction", "manufacturing", "retail", "ict", "finance", "other")
HEADCOUNTS = ("1", "2-9", "10-49", "50-99", "100-249", "250+")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main>
{% if done %}<p>Thank you, {{ name }}. We will be in touch.</p>
{% elif step_token %}<h1>{{ title }}</h1>
{% if error %}<p role="alert">{{ error }}</p>{% endif %}
<form method="post" action="/f/{{ slug }}">
  <input type="hidden" name="step" value="qualify">
  <input type="hidden" name="step_token" value="{{ step_token }}">
  <label>Sector <select name="sector" required><option value="">Choose</option>
  {% for value in sectors %}<option value="{{ value }}">{{ value }}</option>{% endfor %}
  </select></label>
  <label>Employees <select name="headcount" required><option value="">Choose</option>
  {% for value in headcounts %}<option value="{{ value }}">{{ value }}</option>{% endfor %}
  </select></label>
  <button type="submit">Send</button>
</form>
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
    step_signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="minimal.step")

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

    def second_step(slug, signup_id, status=200, error=None):
        html = render_template(
            "page.html",
            title="Two quick questions",
            slug=slug,
            step_token=step_signer.dumps(signup_id),
            sectors=SECTORS,
            headcounts=HEADCOUNTS,
            error=error,
        )
        return html, status, {"Cache-Control": "no-store"}

    def qualify(slug):
        try:
            signup_id = step_signer.loads(request.form.get("step_token", ""), max_age=MAX_AGE)
        except BadSignature:
            return page(slug, 422, error="Please send the form again.")
        sector, headcount = request.form.get("sector"), request.form.get("headcount")
        if sector not in SECTORS or headcount not in HEADCOUNTS:
            return second_step(slug, signup_id, 422, error="Please answer both questions.")
        signup = db.session.get(Signup, signup_id)
        if signup is None:
            abort(404)
        if signup.completed_at is None:  # a second post of the same step changes nothing
            signup.sector, signup.headcount = sector, headcount
            signup.completed_at = datetime.now(UTC)
            db.session.commit()
        return render_template("page.html", title="Thank you", done=True, name=signup.name)

    @app.post("/f/<slug>")
    def submit(slug):
        if slug not in SLUGS:
            abort(404)
        if request.form.get("step") == "qualify":
            return qualify(slug)
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
        signup = Signup(slug=slug, email=email, name=name, nonce=payload["n"])
        db.session.add(signup)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # the same rendering sent twice: it is stored already
            signup = db.session.scalars(db.select(Signup).where(Signup.nonce == payload["n"])).one()
        return second_step(slug, signup.id)

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
