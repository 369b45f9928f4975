"""Leadgate: a self-hosted lead-capture widget and intake site."""

import os
from pathlib import Path

from flask import Flask
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import flask_config, settings_from_env
from .db.connections import loaded_apps
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .web.i18n import select_locale

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; `test_config` overrides settings from the environment."""
    app = Flask(
        __name__,
        instance_path=(test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("LEADGATE_INSTANCE", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if test_config is None:
        from dotenv import load_dotenv

        load_dotenv(ROOT / ".env")
    settings = settings_from_env()
    settings.update({k: v for k, v in (test_config or {}).items() if k in settings})
    app.config.from_mapping(flask_config(settings, app.instance_path))
    # Other test keys (TESTING, WTF_CSRF_ENABLED, ...) go in as they are.
    app.config.from_mapping({k: v for k, v in (test_config or {}).items() if k not in settings})

    if app.config["LEADS_PROXY_HOPS"]:
        # Behind N reverse proxies: trust their X-Forwarded-For/-Proto/-Host,
        # so rate limits see the visitor's address and cookies are secure over
        # https. Links never use the forwarded host: see capture/web/base_url.py.
        hops = app.config["LEADS_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    # The templates get the user as a proxy, loaded only where a page uses it:
    # Flask-Login's own context processor loads it for every template, the
    # visitor's form included.
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    # "basic": a changed IP address (a phone between networks) keeps the login.
    login_manager.session_protection = "basic"

    from . import cli
    from .access.roles import SessionInterface
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .embed import bp as embed_bp
    from .insights import bp as insights_bp
    from .intake import bp as intake_bp
    from .sales import bp as sales_bp
    from .web import (
        base_url,
        errors,
        filters,
        input_guard,
        request_log,
        security_headers,
    )
    from .web.health import bp as health_bp
    from .web.row_ids import RowIdConverter

    app.session_interface = SessionInterface()
    # Before the routes: every `<int:...>` is a row id, an absurd one a 404.
    app.url_map.converters["int"] = RowIdConverter
    app.register_blueprint(embed_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(sales_bp, url_prefix="/sales")
    app.register_blueprint(insights_bp, url_prefix="/sales/insights")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    # Public forms cannot use session CSRF (no cookies); they carry signed tokens.
    csrf.exempt(intake_bp)
    cli.register(app)
    filters.register(app)
    errors.register(app)
    base_url.register(app)
    request_log.register(app)
    security_headers.register(app)
    input_guard.register(app)

    loaded_apps.add(app)

    @app.context_processor
    def language():
        return {"lang": str(get_locale() or "en")}

    return app
