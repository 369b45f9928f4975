"""What an uploaded e-book is, judged by its content: PDF, EPUB or ZIP.

The file name is only used for the name visitors download it as; a text file
called `report.pdf` is refused.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from flask_babel import gettext as _
from werkzeug.utils import secure_filename

EPUB_MIMETYPE = b"application/epub+zip"


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extension: str


PDF = FileKind("PDF", "application/pdf", ".pdf")
EPUB = FileKind("EPUB", "application/epub+zip", ".epub")
ZIP = FileKind("ZIP", "application/zip", ".zip")


class UnfitUpload(ValueError):
    """The upload cannot be an e-book; the message says why, for the site owner,
    in the page's language (English outside a request)."""


def _zip_entries(content: bytes) -> list[zipfile.ZipInfo] | None:
    """The entries of a readable ZIP archive, or None.

    Reads the central directory only: testing every entry would unpack a
    "zip bomb" in full.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return None


def _is_epub(content: bytes, entries: list[zipfile.ZipInfo]) -> bool:
    """An EPUB's first entry is `mimetype`, stored uncompressed and holding
    `application/epub+zip` (OCF). Only that small entry is ever read: a
    compressed or large one (a zip bomb in disguise) is no EPUB."""
    first = entries[0] if entries else None
    if first is None or first.filename != "mimetype":
        return False
    if first.compress_type != zipfile.ZIP_STORED or first.file_size > 64:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(first) as entry:
            return entry.read(64).strip() == EPUB_MIMETYPE
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError):
        return False


def file_kind(content: bytes) -> FileKind:
    """Return what `content` is; raise UnfitUpload when it is no PDF, EPUB or ZIP."""
    if not content:
        raise UnfitUpload(_("The file is empty."))
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK\x03\x04"):
        entries = _zip_entries(content)
        if entries is None:
            raise UnfitUpload(_("This ZIP file is damaged or incomplete: it cannot be opened."))
        if not entries:
            raise UnfitUpload(_("This ZIP file is empty."))
        return EPUB if _is_epub(content, entries) else ZIP
    raise UnfitUpload(_("This file is not a PDF, EPUB or ZIP file (judged by its content)."))


def check_size(size: int, limit: int) -> None:
    """Raise UnfitUpload when `size` bytes is over `limit`."""
    if size <= limit:
        return
    actual, allowed = human_size(size), human_size(limit)
    if actual == allowed:  # just over: rounded, both would read the same
        actual, allowed = f"{size:,} bytes", f"{limit:,} bytes"
    raise UnfitUpload(
        _(
            "The file is %(actual)s; e-books may be at most %(allowed)s.",
            actual=actual,
            allowed=allowed,
        )
    )


def download_name(uploaded_name: str | None, kind: FileKind) -> str:
    """A safe file name for visitors' downloads, ending in the kind's extension."""
    stem = PurePath(secure_filename(uploaded_name or "")).stem or "ebook"
    return f"{stem[:150]}{kind.extension}"


def human_size(size: int) -> str:
    """`size` bytes as people read it: 812 bytes, 14 KB, 2.5 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.1f} MB" if megabytes < 10 else f"{megabytes:.0f} MB"
