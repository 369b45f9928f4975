"""The admin's form settings page, posted as a browser would, and the errors
the admin pages show beside their fields."""

from bs4 import BeautifulSoup

from .visitor import page_inputs

NEW = "/admin/forms/new"


def form_values(html: str) -> dict:
    """The values a browser would post from the settings form (checkbox lists kept)."""
    values = page_inputs(html)
    soup = BeautifulSoup(html, "html.parser")
    values["questions"] = [box["value"] for box in soup.select("input[name=questions][checked]")]
    return values


def post_settings(client, path: str = NEW, **fields):
    """Open the settings page at `path` and post it with `fields` changed."""
    values = {**form_values(client.get(path).get_data(as_text=True)), **fields}
    return client.post(path, data={k: v for k, v in values.items() if v is not None})


def field_errors(response) -> dict:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {
        p["id"].removesuffix("-error"): p.get_text(" ", strip=True)
        for p in soup.select("p.error[id$='-error']")
    }
