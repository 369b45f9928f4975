"""E-book files: stored once under `instance/ebooks/`, named by content hash."""

import hashlib
from pathlib import Path

from flask import current_app

from ..extensions import db
from ..models import Ebook


def ebook_dir() -> Path:
    return Path(current_app.instance_path) / "ebooks"


def ebook_path(ebook: Ebook) -> Path:
    return ebook_dir() / ebook.sha256


def store_ebook(title: str, filename: str, content_type: str, content: bytes) -> Ebook:
    """Write `content` (once per distinct content) and add its Ebook row."""
    digest = hashlib.sha256(content).hexdigest()
    path = ebook_dir() / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(content)
        partial.replace(path)
    ebook = Ebook(
        title=title, filename=filename, content_type=content_type, sha256=digest, size=len(content)
    )
    db.session.add(ebook)
    return ebook
