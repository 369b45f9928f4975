"""A customer's website of its own for the browser tests: two pages carrying
one Leadgate snippet, on an origin that no form lists (unlike the sample site,
which `make run` serves and the demo has in mind).

    app = host_page("http://127.0.0.1:5001", {"data-form": "demo-ebook"}, lang="nl")

serves `/` and `/next`, each with a link to the other and the snippet
`<script src="<leadgate>/embed.js" data-form="demo-ebook" async>`.
"""

from html import escape

from flask import Flask

PAGE = """<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{heading} · Shop</title>
<style>body {{ font: 16px/1.5 sans-serif; max-width: 40rem; margin: 2rem auto; }} {style}</style>
</head>
<body>
<h1>{heading}</h1>
<p><a href="{other}">{other_name}</a></p>
{snippet}
</body>
</html>
"""


def snippet(leadgate: str, attributes: dict[str, str]) -> str:
    """The one-line snippet a site owner pastes, with `attributes` on its script tag."""
    pairs = "".join(f' {escape(name)}="{escape(value)}"' for name, value in attributes.items())
    return f'<script src="{escape(leadgate)}/embed.js"{pairs} async></script>'


def host_page(
    leadgate: str, attributes: dict[str, str], lang: str = "en", style: str = ""
) -> Flask:
    """A two-page site in `lang` with `leadgate`'s loader and `attributes` (data-form,
    ...); `style` is the site's own CSS."""
    app = Flask(__name__)
    tag = snippet(leadgate.rstrip("/"), attributes)

    def render(heading: str, other: str, other_name: str) -> str:
        return PAGE.format(
            lang=escape(lang),
            style=style,
            heading=heading,
            other=other,
            other_name=other_name,
            snippet=tag,
        )

    @app.get("/")
    def welcome():
        return render("Welcome", "/next", "Our offer")

    @app.get("/next")
    def offer():
        return render("Our offer", "/", "Welcome")

    return app
