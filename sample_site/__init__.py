"""A small "customer website" that embeds the demo forms from another origin.

`make run` serves it on http://localhost:8000 beside Leadgate, so the real
embed can be seen working at once. LEADGATE_URL says where Leadgate runs.
"""

import os
import re
from html.parser import HTMLParser

from flask import Flask, render_template, request

PAGES = {
    "/": ("home.html", "Bakkerij Jansen Software"),
    "/resources": ("resources.html", "Free e-book"),
    "/contact": ("contact.html", "Contact"),
    "/both": ("both.html", "E-book and demo"),
    "/pricing": ("pricing.html", "Plans"),
    "/about": ("about.html", "About us"),
    "/try": ("try.html", "Try your snippet"),
}
# What a pasted Leadgate snippet may carry onto the page.
SNIPPET_ATTRIBUTES = ("src", "data-form", "data-lang", "data-channel", "data-title")
# Values the snippet passes with a submission: data-field-<name> (Leadgate's names).
FIELD_ATTRIBUTE = re.compile(r"data-field-[a-z][a-z0-9_]{0,31}")


class _SnippetReader(HTMLParser):
    """Reads the first <script> of a pasted snippet, keeping only its known attributes."""

    def __init__(self):
        super().__init__()
        self.script: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script" and self.script is None:
            self.script = {
                k: v
                for k, v in attrs
                if (k in SNIPPET_ATTRIBUTES or FIELD_ATTRIBUTE.fullmatch(k)) and v
            }


def read_snippet(pasted: str) -> dict | None:
    """The embed script a pasted snippet asks for, or None if it has no /embed.js.

    The page re-renders the tag from these values (escaped), so whatever else
    was pasted never reaches the page.
    """
    reader = _SnippetReader()
    reader.feed(pasted[:2000])
    script = reader.script or {}
    src = script.get("src", "")
    if not src.startswith(("http://", "https://")) or not src.split("?")[0].endswith("/embed.js"):
        return None
    return script


def create_app(leadgate_url: str | None = None, remember: bool | None = None) -> Flask:
    """The sample customer site; `remember` (or SAMPLE_SITE_REMEMBER=1) makes its
    loader keep the visit's first touch in sessionStorage (data-remember)."""
    app = Flask(__name__)
    if remember is None:
        remember = os.environ.get("SAMPLE_SITE_REMEMBER") == "1"
    leadgate = (leadgate_url or os.environ.get("LEADGATE_URL", "http://127.0.0.1:5000")).rstrip("/")

    def page(template, title):
        def render():
            pasted = request.args.get("snippet", "")
            return render_template(
                template,
                title=title,
                leadgate=leadgate,
                remember=remember,
                pages=PAGES,
                pasted=pasted,
                script=read_snippet(pasted) if pasted else None,
            )

        return render

    for path, (template, title) in PAGES.items():
        app.add_url_rule(path, template.removesuffix(".html"), page(template, title))
    return app


app = create_app()
