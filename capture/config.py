"""Settings: defaults, overridden by the environment (and an optional `.env`)."""

import logging
import os
import secrets
import time
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

# name -> default; the default's type is how the environment value is read.
DEFAULTS = {
    "DATABASE_URL": None,
    "SECRET_KEY": None,
    # The address people reach Leadgate at: every absolute link that leaves a
    # request is built from it (capture/web/base_url.py), never from its Host.
    "LEADS_BASE_URL": "",
    # Hosts Leadgate answers for, comma-separated (empty: any); /healthz excepted.
    "LEADS_TRUSTED_HOSTS": "",
    "LEADS_MIN_FILL_SECONDS": 3,
    "LEADS_FORM_MAX_AGE": 4 * 3600,
    "LEADS_DOWNLOAD_TTL": 86400,
    "LEADS_EBOOK_MAX_BYTES": 25 * 1024 * 1024,
    "LEADS_LIVE_POLL_SECONDS": 30,
    # Form views a worker gathers in memory before writing them (0: at once).
    "LEADS_VIEW_COUNT_SECONDS": 2,
    "LEADS_REROUTE_SECONDS": 10,
    "LEADS_REROUTE_BATCH": 1000,
    "LEADS_CHECK_DELIVERABILITY": False,
    "LEADS_TIMEZONE": "Europe/Amsterdam",
    "LEADS_POST_LIMIT": "10 per minute; 100 per hour",
    "LEADS_LOGIN_LIMIT": "5 per minute; 30 per hour",
    # Failed logins per e-mail address, counted in the database, before it is
    # locked for LEADS_LOGIN_LOCK_MINUTES (see capture/access/lockout.py).
    "LEADS_LOGIN_LOCK_ATTEMPTS": 5,
    "LEADS_LOGIN_LOCK_MINUTES": 15,
    "LEADS_PROXY_HOPS": 0,
    "LEADS_REQUEST_LOG": True,
    # The site owner's privacy statement, linked from every form.
    "LEADS_PRIVACY_URL": "",
    # Retention, in days after a lead's last interest (0: keep for good):
    # disqualified leads, and nurtured leads and lost opportunities.
    "LEADS_KEEP_DISQUALIFIED_DAYS": 180,
    "LEADS_KEEP_COLD_DAYS": 730,
    # An opportunity still waiting at twice its response target goes to the
    # next available person (capture/leads/reminders.py); off: only the admins are told.
    "LEADS_REASSIGN_OVERDUE": False,
    # Notifications (see capture/notifications/outbox.py and capture/notifications/delivery.py).
    "LEADS_NOTIFY_EMAIL": "",
    "LEADS_NOTIFY_EVERY_LEAD": False,
    "LEADS_SMTP_HOST": "",
    "LEADS_SMTP_PORT": 587,
    "LEADS_SMTP_TLS": "starttls",
    "LEADS_SMTP_USER": "",
    "LEADS_SMTP_PASSWORD": "",
    "LEADS_SMTP_SENDER": "leadgate@localhost",
    "LEADS_WEBHOOK_URL": "",
    "LEADS_WEBHOOK_SECRET": "",
    "LEADS_WEBHOOK_TIMEOUT": 5,
    "LEADS_OUTBOX_MAX_ATTEMPTS": 8,
    "LEADS_OUTBOX_BACKOFF_SECONDS": 30,
    "LEADS_WORKER_POLL_SECONDS": 1,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
}

_TRUE = {"1", "true", "yes", "on"}
# Where `flask run` listens: the development server and the CLI build links
# on it when LEADS_BASE_URL is unset (gunicorn refuses to start without it).
DEV_BASE_URL = "http://127.0.0.1:5000"
_logger = logging.getLogger(__name__)


def _cast(raw: str, default):
    if isinstance(default, bool):
        return raw.strip().lower() in _TRUE
    if isinstance(default, int):
        return int(raw)
    return raw


def settings_from_env(environ=os.environ) -> dict:
    """Return every known setting, environment values cast to the default's type."""
    return {
        name: _cast(environ[name], default) if name in environ else default
        for name, default in DEFAULTS.items()
    }


def instance_secret_key(instance_path: str) -> str:
    """Return the dev secret key kept in `instance/`, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of several workers starting at once, exactly one writes the key.
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(handle, "w") as key_file:
            key_file.write(secrets.token_hex(32))
    for _attempt in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.05)  # another worker created the file and is writing it
    raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY")


def checked_base_url(raw: str) -> str:
    """`raw` as links are built on it: `http(s)://host[:port]`, no trailing slash.

    Raises ValueError saying what is wrong: another scheme, no host, a user
    name, a query or fragment, or a path (Leadgate is served from the root
    of its address: the embed loader and every route assume it).
    """
    value = raw.strip().rstrip("/")
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is not a number raises here
    except ValueError as error:
        raise ValueError(f"LEADS_BASE_URL={raw!r} is not a web address ({error})") from None
    problem = ""
    if parts.scheme not in ("http", "https"):
        problem = "must start with https:// (or http://)"
    elif not parts.hostname or any(c.isspace() for c in parts.netloc):
        problem = "has no valid host"
    elif parts.username is not None:
        problem = "must not hold a user name or password"
    elif "?" in value or "#" in value:
        problem = "must not have a query (?) or fragment (#)"
    elif parts.path:
        problem = (
            "has a path: Leadgate is served from the root of its own address,"
            " e.g. https://leads.example.nl (a path prefix is not supported)"
        )
    if problem:
        raise ValueError(f"LEADS_BASE_URL={raw!r} {problem}")
    return value


def base_url_setting(raw: str) -> str:
    """LEADS_BASE_URL checked, or DEV_BASE_URL with a warning (once per process)."""
    if raw.strip():
        return checked_base_url(raw)
    _warn_of_the_dev_base_url()
    return DEV_BASE_URL


@cache  # once per process, however many apps it makes
def _warn_of_the_dev_base_url() -> None:
    _logger.warning(
        "LEADS_BASE_URL is not set: links in e-mails, webhooks and the snippet use %s."
        " Set it to the address people reach Leadgate at.",
        DEV_BASE_URL,
    )


def trusted_hosts(raw: str, base_url: str) -> list[str] | None:
    """Flask's TRUSTED_HOSTS: the hosts in LEADS_TRUSTED_HOSTS and the base
    URL's own, or None (any host) when none are listed."""
    listed = [host.strip() for host in raw.split(",") if host.strip()]
    return [urlsplit(base_url).hostname, *listed] if listed else None


def flask_config(settings: dict, instance_path: str) -> dict:
    """Translate settings into the Flask and extension config keys."""
    database_url = settings["DATABASE_URL"] or "sqlite:///" + str(
        Path(instance_path) / "leadgate.db"
    )
    base_url = base_url_setting(settings["LEADS_BASE_URL"])
    return {
        **settings,
        "LEADS_BASE_URL": base_url,
        "TRUSTED_HOSTS": trusted_hosts(settings["LEADS_TRUSTED_HOSTS"], base_url),
        "SECRET_KEY": settings["SECRET_KEY"] or instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,  # a working day, then log in again
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # A rate-limit store that is down must not cost a lead: let posts through.
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Static files (CSS, htmx, the frame script): an hour, then revalidated.
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
    }
