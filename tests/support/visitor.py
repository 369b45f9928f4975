"""A scripted visitor: opens a hosted form and posts it as a browser would."""

from dataclasses import dataclass, field

from bs4 import BeautifulSoup

CONTACT = {"email": "anna@bakkerij-jansen.nl", "name": "Anna Jansen", "company": "Bakkerij Jansen"}


def page_inputs(html: str, within: str = "", checkbox_lists: bool = False) -> dict:
    """Return name -> value of the fields in `html` (or in its `within` element),
    as a browser would send them: the checked radio, ticked checkboxes.

    With `checkbox_lists`, each checkbox name maps to the list of its ticked
    values (empty when none is ticked), for groups of checkboxes.
    """
    soup = BeautifulSoup(html, "html.parser")
    scope = soup.select_one(within) if within else soup
    values = {}
    for element in scope.select("input[name], textarea[name], select[name]"):
        name, kind = element["name"], element.get("type")
        ticked = element.has_attr("checked")
        if element.name == "textarea":
            # Browsers drop the newline that may follow <textarea>.
            values[name] = element.get_text().removeprefix("\r\n").removeprefix("\n")
        elif element.name == "select":
            chosen = element.select_one("option[selected]")
            values[name] = chosen["value"] if chosen else ""
        elif kind == "checkbox" and checkbox_lists:
            values.setdefault(name, [])
            if ticked:
                values[name].append(element["value"])
        elif kind in ("checkbox", "radio"):
            if ticked:
                values[name] = element.get("value", "y" if kind == "checkbox" else "on")
        else:
            values[name] = element.get("value", "")
    return values


def errors_in(html: str) -> dict:
    """Return field name -> error text shown next to it."""
    soup = BeautifulSoup(html, "html.parser")
    return {
        error["id"].removesuffix("-error"): error.get_text(strip=True)
        for error in soup.select(".lg-error[id]")
    }


@dataclass
class Visitor:
    client: object
    headers: dict = field(default_factory=dict)
    last: object = None

    def open(self, slug: str, query: str = "", **headers):
        path = f"/f/{slug}" + (f"?{query}" if query else "")
        self.last = self.client.get(path, headers={**self.headers, **headers})
        # Read and close it as a server does once the page is sent (the view
        # is counted then).
        self.last.get_data()
        self.last.close()
        return self.last

    def post(self, fields: dict, **headers):
        """Post the current page's form with its own values, overridden by `fields`."""
        html = self.last.get_data(as_text=True)
        action = BeautifulSoup(html, "html.parser").select_one("form[action]")["action"]
        values = {**page_inputs(html), **fields}
        values = {k: v for k, v in values.items() if v is not None}
        self.last = self.client.post(action, data=values, headers={**self.headers, **headers})
        return self.last

    def submit(self, slug: str, contact=None, qualify=None, query: str = "", **headers):
        """Open `slug`, fill both steps and return the last response."""
        self.open(slug, query, **headers)
        first = self.post({**CONTACT, "consent": "y", **(contact or {})})
        assert first.status_code == 200, first.get_data(as_text=True)
        return self.post({"sector": "ict", "headcount": "50-99", **(qualify or {})})
