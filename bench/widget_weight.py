"""What the widget loads, in gzipped bytes: `make weight` (or python bench/widget_weight.py).

Builds the app against a throw-away SQLite database, then fetches what a
browser fetches for one embedded form: the loader, the form document, and
every script and stylesheet that document references.
"""

import gzip
import sys
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from capture import create_app  # noqa: E402
from capture.cli import seed_demo  # noqa: E402

LOADER_LIMIT = 2048


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9, mtime=0))


def measure(slug: str = "demo-ebook") -> list[tuple[str, int, int]]:
    """Return (what, raw bytes, gzipped bytes) for each thing the widget loads."""
    folder = tempfile.mkdtemp(prefix="leadgate-weight-")
    app = create_app(
        {
            "SECRET_KEY": "weight",
            "INSTANCE_PATH": folder,
            "DATABASE_URL": f"sqlite:///{folder}/w.db",
        }
    )
    with app.app_context():
        upgrade()
        seed_demo()
    client = app.test_client()
    loader = client.get("/embed.js").data
    form_path = f"/f/{slug}?embed=1&page_url=http%3A%2F%2Flocalhost%3A8000%2F"
    document = client.get(form_path).data
    rows = [
        ("/embed.js", len(loader), gzipped(loader)),
        (f"/f/{slug} (embedded)", len(document), gzipped(document)),
    ]
    soup = BeautifulSoup(document, "html.parser")
    assets = [tag["src"] for tag in soup.select("script[src]")]
    assets += [tag["href"] for tag in soup.select("link[rel=stylesheet]")]
    for path in assets:
        body = client.get(path).data
        rows.append((path, len(body), gzipped(body)))
    return rows


def main() -> int:
    rows = measure()
    width = max(len(what) for what, _, _ in rows)
    print(f"{'what':<{width}}  {'bytes':>8}  {'gzipped':>8}")
    for what, raw, packed in rows:
        print(f"{what:<{width}}  {raw:>8}  {packed:>8}")
    total_raw, total_gz = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'total':<{width}}  {total_raw:>8}  {total_gz:>8}")
    loader_gz = rows[0][2]
    if loader_gz > LOADER_LIMIT:
        print(f"/embed.js is {loader_gz} bytes gzipped: over the {LOADER_LIMIT} byte budget")
        return 1
    print(f"/embed.js: {LOADER_LIMIT - loader_gz} bytes gzipped to spare of its {LOADER_LIMIT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
