"""The sample customer site's "try your snippet" page takes only a Leadgate snippet."""

import pytest
from bs4 import BeautifulSoup

from sample_site import create_app, read_snippet

SNIPPET = (
    '<script src="http://127.0.0.1:5000/embed.js" data-form="spring-ebook" data-lang="nl" async>'
    '</script>\n<noscript><a href="http://127.0.0.1:5000/f/spring-ebook">Download</a></noscript>'
)


def test_a_pasted_snippet_is_read_as_its_script_attributes():
    assert read_snippet(SNIPPET) == {
        "src": "http://127.0.0.1:5000/embed.js",
        "data-form": "spring-ebook",
        "data-lang": "nl",
    }


@pytest.mark.parametrize(
    "pasted",
    [
        "<b>hello</b>",
        '<script src="https://evil.example/x.js" data-form="a"></script>',
        '<script src="javascript:alert(1)//embed.js"></script>',
        "<script>alert(1)</script>",
    ],
)
def test_anything_but_a_leadgate_snippet_is_refused(pasted):
    assert read_snippet(pasted) is None


def test_the_page_renders_the_script_again_and_nothing_else_that_was_pasted():
    pasted = SNIPPET.replace("async>", 'async onload="alert(1)">') + "<img src=x onerror=alert(1)>"

    page = (
        create_app("http://127.0.0.1:5000")
        .test_client()
        .get("/try", query_string={"snippet": pasted})
    )
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    (script,) = soup.select("script")

    assert script.attrs == {
        "async": "",
        "src": "http://127.0.0.1:5000/embed.js",
        "data-target": "#pasted-form",
        "data-form": "spring-ebook",
        "data-lang": "nl",
    }
    assert soup.select("img") == []
    assert soup.select_one("textarea").get_text() == pasted  # shown back as text
