"""A small "customer website" that embeds the demo forms from another origin.

`make run` serves it on http://localhost:8000 beside Leadgate, so the real
embed can be seen working at once. LEADGATE_URL says where Leadgate runs.
"""

import os

from flask import Flask, render_template

PAGES = {
    "/": ("home.html", "Bakkerij Jansen Software"),
    "/resources": ("resources.html", "Free e-book"),
    "/contact": ("contact.html", "Contact"),
    "/both": ("both.html", "E-book and demo"),
    "/about": ("about.html", "About us"),
}


def create_app(leadgate_url: str | None = None) -> Flask:
    app = Flask(__name__)
    leadgate = (leadgate_url or os.environ.get("LEADGATE_URL", "http://127.0.0.1:5000")).rstrip("/")

    def page(template, title):
        return lambda: render_template(template, title=title, leadgate=leadgate, pages=PAGES)

    for path, (template, title) in PAGES.items():
        app.add_url_rule(path, template.removesuffix(".html"), page(template, title))
    return app


app = create_app()
