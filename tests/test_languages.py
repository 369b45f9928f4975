"""The sales, insights and admin pages in Dutch or English, by each user's choice.

A user's language (None: follow the browser) decides every internal page;
the public form keeps the visitor's rule (`lang`, the form, the browser).
"""

import re

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from bs4 import BeautifulSoup

from capture import ROOT
from capture.domain.funnel import OTHER_REASON, RULE_REASON_GROUPS
from capture.extensions import db
from capture.insights.display import REASON_GROUP_WORDS
from capture.models import User

from .support.factories import make_lead
from .support.visitor import Visitor, page_inputs

CATALOG = ROOT / "capture" / "translations" / "nl" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def set_language(app, email: str, language: str | None) -> None:
    with app.app_context():
        db.session.scalars(db.select(User).where(User.email == email)).one().language = language
        db.session.commit()


def stored_language(app, email: str) -> str | None:
    with app.app_context():
        return db.session.scalars(db.select(User.language).where(User.email == email)).one()


def text(response) -> str:
    """The page's words, whitespace collapsed."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return " ".join(soup.get_text(" ").split())


def html_lang(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").html["lang"]


def a_lead(app) -> int:
    with app.app_context():
        lead = make_lead(name="Jan Jansen", company="Jansen Bouw", list="nurture", channel="event")
        db.session.commit()
        return lead.id


@pytest.fixture
def dutch_sales(app, auth, users):
    set_language(app, users["sales"][1], "nl")
    return auth.login("sales")


@pytest.fixture
def dutch_admin(app, auth, users):
    set_language(app, users["admin"][1], "nl")
    return auth.login("admin")


# The catalog


def test_the_dutch_catalog_translates_every_message_and_has_no_fuzzy_entry():
    with open(CATALOG / "messages.po", "rb") as po_file:
        catalog = read_po(po_file)

    entries = [message for message in catalog if message.id]
    untranslated = [
        message.id
        for message in entries
        if not all(message.string if message.pluralizable else [message.string])
    ]
    assert len(entries) > 500
    assert untranslated == []
    assert [message.id for message in entries if message.fuzzy] == []
    assert not catalog.fuzzy


def test_every_dutch_message_keeps_the_placeholders_of_its_english_one():
    with open(CATALOG / "messages.po", "rb") as po_file:
        catalog = read_po(po_file)

    changed = []
    for message in catalog:
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        if any(
            set(PLACEHOLDER.findall(string)) - {"num"} != wanted - {"num"} for string in strings
        ):
            changed.append(message.id)
    assert changed == []


def test_the_committed_mo_is_the_po_compiled(tmp_path):
    with open(CATALOG / "messages.po", "rb") as po_file:
        catalog = read_po(po_file)
    with open(tmp_path / "messages.mo", "wb") as fresh:
        write_mo(fresh, catalog)

    def messages(path):
        with open(path, "rb") as mo_file:
            catalog = Translations(mo_file)._catalog
        # The header names the Babel that compiled it: not a message.
        header = catalog.pop("", "")
        return catalog, [line for line in header.splitlines() if "Generated-By" not in line]

    assert messages(CATALOG / "messages.mo") == messages(tmp_path / "messages.mo"), (
        "messages.mo is stale: run `make translations`"
    )


def test_every_reason_group_the_insights_make_has_a_word():
    assert set(REASON_GROUP_WORDS) == {group for _, group in RULE_REASON_GROUPS} | {OTHER_REASON}


# A user's language


def test_a_dutch_sales_user_sees_the_list_a_lead_and_the_insights_in_dutch(
    app, client, dutch_sales
):
    lead_id = a_lead(app)

    listing = client.get("/sales/?list=nurture")
    words = text(listing)
    assert html_lang(listing) == "nl"
    assert "Binnenkomende leads" in words and "Incoming leads" not in words
    assert "Zoek op naam, bedrijf of e-mail" in words and "Search name" not in words
    assert "Warmhouden" in words and "Nurture" not in words  # the tab (list=nurture)
    assert "Uitloggen" in words and "Log out" not in words

    lead = text(client.get(f"/sales/leads/{lead_id}"))
    assert "Contact en antwoorden" in lead and "Contact and answers" not in lead
    assert "Naar een lijst verplaatsen" in lead and "Move to a list" not in lead
    assert "evenement" in lead  # the channel's word

    insights = text(client.get("/sales/insights/"))
    assert "Inzichten" in insights
    assert "Waarom leads zijn afgewezen" in insights
    assert "Why leads were disqualified" not in insights
    assert "Laatste 30 dagen" in insights and "Last 30 days" not in insights


def test_messages_and_form_errors_speak_the_users_language(app, client, auth, dutch_sales):
    lead_id = a_lead(app)
    page = client.get(f"/sales/leads/{lead_id}")
    token = page_inputs(page.get_data(as_text=True))["csrf_token"]

    empty_note = client.post(f"/sales/leads/{lead_id}/notes", data={"csrf_token": token})
    moved = client.post(
        f"/sales/leads/{lead_id}/move",
        data={"csrf_token": token, "to_list": "opportunity", "reason": "", "other_reason": ""},
        follow_redirects=True,
    )

    assert empty_note.status_code == 422
    assert "Schrijf eerst iets." in text(empty_note)
    assert "Verplaatst naar de lijst kans." in text(moved)
    assert "Moved to" not in text(moved)


def test_a_dutch_admin_sees_the_admin_pages_in_dutch(client, dutch_admin):
    rules = text(client.get("/admin/rules"))
    users = text(client.get("/admin/users"))

    assert "Kwalificatieregels" in rules and "Qualification rules" not in rules
    assert "Bekijk het effect" in rules and "Preview the effect" not in rules
    assert "Wie kan inloggen" in users and "Who can log in" not in users
    assert "Gebruiker toevoegen" in users and "Add a user" not in users


@pytest.mark.parametrize(
    ("accept", "heading", "html"),
    [
        ("nl-NL,nl;q=0.9,en;q=0.5", "Binnenkomende leads", "nl"),
        ("en-GB,en", "Incoming leads", "en"),
    ],
)
def test_without_a_choice_the_pages_follow_the_browser(client, auth, accept, heading, html):
    auth.login("sales")

    page = client.get("/sales/", headers={"Accept-Language": accept})

    assert html_lang(page) == html
    assert BeautifulSoup(page.get_data(as_text=True), "html.parser").h1.get_text() == heading


def test_a_users_choice_beats_the_browser(app, client, auth, users):
    set_language(app, users["sales"][1], "en")
    auth.login("sales")

    page = client.get("/sales/", headers={"Accept-Language": "nl"})

    assert html_lang(page) == "en"
    assert "Incoming leads" in text(page)


# The account page


def test_the_account_page_needs_a_login(client):
    answer = client.get("/account")

    assert answer.status_code == 302
    assert answer.location.startswith("/login?next=")


def test_saving_the_language_needs_the_csrf_token(app, client, auth, users):
    auth.login("sales")

    answer = client.post("/account", data={"language": "nl"})

    assert answer.status_code == 400
    assert stored_language(app, users["sales"][1]) is None


@pytest.mark.parametrize("role", ["sales", "admin"])
def test_the_chosen_language_is_saved_and_the_next_page_speaks_it(app, client, auth, users, role):
    auth.login(role)
    account = client.get("/account", headers={"Accept-Language": "en"})
    assert 'href="/account"' in account.get_data(as_text=True)  # in the menu
    token = page_inputs(account.get_data(as_text=True))["csrf_token"]

    saved = client.post(
        "/account",
        data={"csrf_token": token, "language": "nl"},
        headers={"Accept-Language": "en"},
    )
    shown = client.get(saved.location, headers={"Accept-Language": "en"})

    assert saved.status_code == 303
    assert stored_language(app, users[role][1]) == "nl"
    assert html_lang(shown) == "nl"
    assert "Je taal is opgeslagen." in text(shown) and "Je account" in text(shown)
    assert page_inputs(shown.get_data(as_text=True))["language"] == "nl"
    assert "Binnenkomende leads" in text(client.get("/sales/", headers={"Accept-Language": "en"}))


def test_choosing_the_browsers_language_clears_the_choice(app, client, auth, users):
    set_language(app, users["sales"][1], "nl")
    auth.login("sales")
    token = auth.csrf_token("/account")

    client.post("/account", data={"csrf_token": token, "language": ""})

    assert stored_language(app, users["sales"][1]) is None
    assert html_lang(client.get("/sales/", headers={"Accept-Language": "en"})) == "en"


def test_an_unknown_language_is_refused(app, client, auth, users):
    auth.login("sales")
    token = auth.csrf_token("/account")

    answer = client.post("/account", data={"csrf_token": token, "language": "de"})

    assert answer.status_code == 422
    assert stored_language(app, users["sales"][1]) is None


# Visitors keep their own rule


def test_the_public_form_follows_the_visitor_not_the_logged_in_users_language(client, dutch_sales):
    page = Visitor(client).open("demo-contact", **{"Accept-Language": "en"})

    assert html_lang(page) == "en"
    labels = BeautifulSoup(page.get_data(as_text=True), "html.parser").select(".lg-field label")
    assert labels[0].get_text(strip=True) == "Work e-mail"
