"""`/embed.js`: small, cacheable, the same bytes as its source minus comments,
and asking only what the app answers (the fallback's `/f/<slug>/embeddable`)."""

import gzip

from capture.embed.views import LOADER_SOURCE, compact


def test_the_loader_is_at_most_2_kb_gzipped(client):
    served = client.get("/embed.js", headers={"Accept-Encoding": "gzip"})

    assert served.headers["Content-Encoding"] == "gzip"
    assert len(served.data) <= 2048
    assert gzip.decompress(served.data) == compact(LOADER_SOURCE.read_text()).encode()


def test_the_loader_is_javascript_cached_long_and_revalidated_by_etag(client):
    served = client.get("/embed.js")

    assert served.status_code == 200
    assert served.mimetype == "text/javascript"
    assert served.cache_control.public and served.cache_control.max_age >= 86400
    assert "Accept-Encoding" in served.headers["Vary"]
    assert "Set-Cookie" not in served.headers
    again = client.get("/embed.js", headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_loader_asks_the_embeddable_endpoint_the_app_serves(app):
    source = LOADER_SOURCE.read_text()

    assert '"/f/" + encodeURIComponent(slug)' in source and '"/embeddable"' in source
    assert "/f/<slug>/embeddable" in {rule.rule for rule in app.url_map.iter_rules()}


def test_compacting_keeps_code_and_drops_comment_lines():
    source = "// a comment\n(function () {\n    var url = 'https://x.nl/a';  // kept\n})();\n"

    assert compact(source) == "(function () {\nvar url = 'https://x.nl/a';  // kept\n})();\n"
