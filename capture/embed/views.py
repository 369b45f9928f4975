"""Serving the embed loader `/embed.js` (source in `widget/embed.js`)."""

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import make_response, request

from . import bp

LOADER_SOURCE = Path(__file__).resolve().parents[2] / "widget" / "embed.js"


def compact(source: str) -> str:
    """Drop comment-only lines and indentation: the loader has no build step."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


@lru_cache(maxsize=1)
def loader() -> tuple[bytes, bytes, str]:
    """The served loader, its gzipped form and its content hash."""
    body = compact(LOADER_SOURCE.read_text(encoding="utf-8")).encode()
    return body, gzip.compress(body, compresslevel=9, mtime=0), hashlib.sha256(body).hexdigest()


@bp.get("/embed.js")
def embed_js():
    body, zipped, digest = loader()
    use_gzip = "gzip" in request.accept_encodings
    response = make_response(zipped if use_gzip else body)
    response.mimetype = "text/javascript"
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.set_etag(digest[:20])
    # A day fresh, then revalidated by ETag (a 304 without the body).
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.cache_control.stale_while_revalidate = 604800
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)
