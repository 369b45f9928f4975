"""Web origins (`scheme://host[:port]`): written the one way browsers send
them, so the admin's list of sites, the framing policy, the embed counts and
the public "may it be embedded here?" answer all compare alike."""

import ipaddress
import re
from urllib.parse import urlsplit

from flask import current_app, request
from flask_babel import gettext as _

DEFAULT_PORTS = {"http": 80, "https": 443}
HOST_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST_NAME = re.compile(rf"^{HOST_LABEL}(?:\.{HOST_LABEL})*$")
# What a stored origin may take (EmbedCount.origin); longer ones are junk.
MOST_CHARACTERS = 200


def _origin_host(host: str) -> str:
    """The host as a browser writes it in an origin (IDN as punycode); ValueError if bad."""
    if ":" in host:
        if "%" in host:  # a zone id is local to one machine, never in an origin
            raise ValueError(_("the address has a zone id (%...), which origins never carry"))
        return f"[{ipaddress.IPv6Address(host).compressed}]"
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise ValueError(_("the host name is not valid")) from error
    if len(ascii_host) > 253 or not HOST_NAME.match(ascii_host):
        raise ValueError(_("the host name is not valid"))
    return ascii_host


def normalise_origin(line: str) -> str:
    """Return `line` as an origin, `scheme://host[:port]`; ValueError says what is wrong.

    Lowercase, no default port, no trailing slash: the form that browsers
    send and that the framing policy compares with.
    """
    if any(char.isspace() for char in line) or any(char in line for char in ";,'\""):
        raise ValueError(_("it contains spaces or punctuation an origin cannot have"))
    parts = urlsplit(line)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not line.lower().startswith(f"{scheme}://"):
        raise ValueError(_("it must start with https:// or http://"))
    if parts.username is not None or parts.password is not None:
        raise ValueError(_("it must not contain a user name or password"))
    if parts.path not in ("", "/") or parts.query or parts.fragment or line.endswith(("?", "#")):
        raise ValueError(_("an origin has no path, query or #fragment: only scheme, host and port"))
    if not parts.hostname or "*" in parts.netloc:
        raise ValueError(_("it needs one exact host name, without wildcards"))
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(_("the port is not a number from 1 to 65535")) from error
    if port == 0:
        raise ValueError(_("the port is not a number from 1 to 65535"))
    host = _origin_host(parts.hostname)
    suffix = f":{port}" if port is not None and port != DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{host}{suffix}"


def origin_of(url: str | None) -> str:
    """The `scheme://host[:port]` that `url` starts with, as written ("" when none)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def origin_or_none(sent: str | None) -> str | None:
    """`sent` (what a browser or a query string says) as an origin, or None
    when it is none: missing, junk, not http(s), or over MOST_CHARACTERS."""
    if not sent or len(sent) > MOST_CHARACTERS:
        return None
    try:
        origin = normalise_origin(sent)
    except ValueError:
        return None
    return origin if len(origin) <= MOST_CHARACTERS else None


def own_origins() -> set[str]:
    """Leadgate's own origins in this request: the address it was asked at and
    LEADS_BASE_URL (the same behind a proxy that keeps the Host)."""
    asked = request.host_url.rstrip("/")
    base = origin_or_none(origin_of(current_app.config["LEADS_BASE_URL"]))
    return {asked, base} if base else {asked}


def may_embed(form, origin: str | None) -> bool:
    """Whether a page on `origin` (None: unknown) may show `form` (a Form or
    a PublishedForm) in a frame: any site may, unless the form is restricted
    to the sites it lists; Leadgate's own pages always may (the preview)."""
    if not form.restrict_embedding:
        return True
    return origin is not None and (origin in form.allowed_origins or origin in own_origins())
