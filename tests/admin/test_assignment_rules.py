"""The assignment page: who takes leads, the admin's rules in order (add,
remove, move, preview against the open opportunities, save) and the nurture
switch; what is stored is what assignment then obeys."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from werkzeug.security import generate_password_hash

from capture.admin import assignment as assignment_page
from capture.extensions import db
from capture.leads.owners import business_today
from capture.models import Absence, Form, Lead, Setting, User

from ..support.auth import PASSWORD, login_token
from ..support.factories import make_lead
from ..support.visitor import Visitor, page_inputs

PATH = "/admin/assignment"
EDIT = "/admin/assignment/edit"
PREVIEW = "/admin/assignment/preview"
HTMX = {"HX-Request": "true"}
KEY = "assignment"


def add_person(app, email: str, name: str, role: str = "sales", active: bool = True) -> int:
    with app.app_context():
        user = User(
            email=email,
            name=name,
            role=role,
            active=active,
            password_hash=generate_password_hash(PASSWORD),
        )
        db.session.add(user)
        db.session.commit()
        return user.id


@pytest.fixture
def sanne(app, users):
    """The `users` fixture's sales person, named."""
    with app.app_context():
        db.session.get(User, users["sales"][0]).name = "Sanne Bakker"
        db.session.commit()
    return users["sales"][0]


@pytest.fixture
def bas(app, users):
    return add_person(app, "bas@leadgate.test", "Bas de Vries")


@pytest.fixture
def admin(auth):
    return auth.login("admin")


def form_ids(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(db.select(Form.slug, Form.id)).all())


def editor_values(html: str) -> dict:
    return page_inputs(html, within="#assignment-editor")


def send(client, path: str, headers=None, **changes):
    """Open the page and post its editor to `path`, with `changes` (None drops a field)."""
    values = {**editor_values(client.get(PATH).get_data(as_text=True)), **changes}
    values = {name: value for name, value in values.items() if value is not None}
    return client.post(path, data=values, headers=headers or {})


def rule_fields(number: int, person: int | str = "", **criteria) -> dict:
    """The posted fields of rule `number` (1-based)."""
    prefix = f"rules-{number - 1}-"
    values = {"size_class": "", "sector": "", "channel": "", "form_id": "", "person_id": person}
    return {prefix + name: str(value) for name, value in {**values, **criteria}.items()}


def shown_rules(response) -> list[dict]:
    """The rules as the editor shows them: each rule's chosen values."""
    values = editor_values(response.get_data(as_text=True))
    rules = []
    while f"rules-{len(rules)}-person_id" in values:
        prefix = f"rules-{len(rules)}-"
        rules.append(
            {
                name: values[prefix + name]
                for name in ("size_class", "sector", "channel", "form_id", "person_id")
            }
        )
    return rules


def stored(app) -> dict | None:
    with app.app_context():
        setting = db.session.get(Setting, KEY)
        return setting.value if setting is not None else None


def as_rows(value: dict) -> list[dict]:
    """Stored rules in the editor's terms, to compare with `shown_rules`."""
    return [
        {
            "size_class": rule.get("size_class") or "",
            "sector": rule.get("sector") or "",
            "channel": rule.get("channel") or "",
            "form_id": str(rule.get("form_id") or ""),
            "person_id": str(rule["person_id"]),
        }
        for rule in value["rules"]
    ]


def field_errors(response) -> dict:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {
        p["id"].removesuffix("-error"): p.get_text(" ", strip=True)
        for p in soup.select("p.error[id$='-error']")
    }


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(response) -> str:
    return " ".join(soup_of(response).get_text(" ", strip=True).split())


def save_rules(client, *rules: dict, path: str = PATH, headers=None, **more):
    """Post the page to `path` (save) with exactly `rules` (made by `rule_fields`)
    and `more` fields changed (None drops one)."""
    values = editor_values(client.get(PATH).get_data(as_text=True))
    values = {name: value for name, value in values.items() if not name.startswith("rules-")}
    for rule in rules:
        values |= rule
    values |= more
    values = {name: value for name, value in values.items() if value is not None}
    return client.post(path, data=values, headers=headers or {})


# The page


def test_the_page_shows_who_takes_leads_with_weight_and_absence_and_links_the_users_page(
    app, client, admin, sanne, bas
):
    add_person(app, "ex@leadgate.test", "Eva Gone", active=False)
    with app.app_context():
        today = business_today()
        db.session.get(User, bas).weight = 1
        db.session.add(Absence(user_id=sanne, starts=today, ends=today + timedelta(days=3)))
        db.session.commit()

    answer = client.get(PATH)

    soup = soup_of(answer)
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in soup.select("#assignment-team tbody tr")
    ]
    assert answer.status_code == 200
    assert [row[:2] for row in rows] == [["Bas de Vries", "1"], ["Sanne Bakker", "2"]]
    assert rows[0][2] == "—" and rows[1][2].startswith("away until ")
    assert soup.select_one(".assignment-team a[href='/admin/users']") is not None
    order = [item.get_text(" ", strip=True) for item in soup.select("ol.assignment-order li")]
    assert all(
        word in line
        for word, line in zip(("by hand", "returning", "rules", "turns"), order, strict=True)
    )
    assert soup.select_one("nav.subnav a[aria-current=page]")["href"] == PATH


def test_without_rules_the_page_says_every_lead_goes_by_turns(client, admin, sanne):
    answer = client.get(PATH)

    assert shown_rules(answer) == []
    assert "No rules: every lead goes by turns." in text(answer)


# Adding, removing, moving


def test_adding_a_rule_shows_an_empty_one_to_fill_in_and_stores_nothing(app, client, admin, sanne):
    answer = send(client, EDIT, edit="add")

    assert answer.status_code == 200
    assert shown_rules(answer) == [
        {"size_class": "", "sector": "", "channel": "", "form_id": "", "person_id": ""}
    ]
    assert "Not saved yet" in text(answer)
    assert stored(app) is None


def test_a_saved_rule_is_stored_as_the_page_shows_it_with_a_label_for_the_log(
    app, client, admin, sanne, bas
):
    ebook = form_ids(app)["demo-ebook"]
    rule = rule_fields(
        1, bas, size_class="large", sector="healthcare", channel="paid", form_id=ebook
    )

    answer = save_rules(client, rule)

    assert answer.status_code == 303 and answer.location.endswith(PATH)
    value = stored(app)
    page = client.get(PATH)
    assert (
        shown_rules(page)
        == as_rows(value)
        == [
            {
                "size_class": "large",
                "sector": "healthcare",
                "channel": "paid",
                "form_id": str(ebook),
                "person_id": str(bas),
            }
        ]
    )
    assert value["rules"][0]["label"] == (
        'large firms, sector healthcare, channel paid, form "Free e-book: lead management '
        'for small firms" → Bas de Vries'
    )
    assert value["nurture_owners"] is False
    assert "Assignment saved: 1 rule" in text(page)
    assert "Not saved yet" not in text(page)
    with app.app_context():
        assert db.session.get(Setting, KEY).updated_by_id == admin


def test_moving_and_removing_rules_then_saving_stores_the_order_the_page_shows(
    app, client, admin, sanne, bas
):
    save_rules(
        client,
        rule_fields(1, sanne, size_class="large"),
        rule_fields(2, bas, sector="healthcare"),
        rule_fields(3, bas, channel="event"),
    )
    page = client.get(PATH)

    moved = client.post(EDIT, data={**editor_values(page.get_data(as_text=True)), "edit": "up-2"})
    up = shown_rules(moved)
    removed = client.post(
        EDIT, data={**editor_values(moved.get_data(as_text=True)), "edit": "remove-0"}
    )
    down = client.post(
        EDIT, data={**editor_values(removed.get_data(as_text=True)), "edit": "down-0"}
    )
    assert stored(app)["rules"][0]["size_class"] == "large"  # nothing stored while editing
    answer = client.post(PATH, data=editor_values(down.get_data(as_text=True)))

    assert [rule["channel"] or rule["sector"] or rule["size_class"] for rule in up] == [
        "large",
        "event",
        "healthcare",
    ]
    assert [rule["sector"] or rule["size_class"] for rule in shown_rules(removed)] == [
        "",
        "healthcare",
    ]
    assert answer.status_code == 303
    assert as_rows(stored(app)) == shown_rules(down) == shown_rules(client.get(PATH))
    assert [rule["label"] for rule in stored(app)["rules"]] == [
        "sector healthcare → Bas de Vries",
        "channel event → Bas de Vries",
    ]


def test_an_htmx_edit_answers_with_the_editor_alone(client, admin, sanne):
    answer = send(client, EDIT, headers=HTMX, edit="add")

    soup = soup_of(answer)
    assert answer.status_code == 200
    assert soup.select_one("html") is None
    assert soup.select_one("div#assignment-editor form")["action"] == PATH
    assert "HX-Request" in answer.headers["Vary"]


def test_removing_the_only_rule_and_saving_stores_no_rules(app, client, admin, sanne):
    save_rules(client, rule_fields(1, sanne, size_class="small"))

    edited = send(client, EDIT, edit="remove-0")
    answer = client.post(PATH, data=editor_values(edited.get_data(as_text=True)))

    assert answer.status_code == 303
    assert stored(app)["rules"] == []


# The nurture switch


def test_the_nurture_switch_is_stored_and_then_nurture_leads_from_the_intake_get_an_owner(
    app, client, admin, sanne
):
    visitor = Visitor(app.test_client())
    visitor.submit("demo-ebook", contact={"email": "before@example.nl"})

    answer = save_rules(client, nurture_owners="y")
    visitor.submit("demo-ebook", contact={"email": "after@example.nl"})

    assert answer.status_code == 303
    assert stored(app) == {"rules": [], "nurture_owners": True}
    assert editor_values(client.get(PATH).get_data(as_text=True))["nurture_owners"] == "y"
    with app.app_context():
        leads = {lead.email: lead for lead in db.session.scalars(db.select(Lead))}
        owners = {email: (lead.list, lead.owner_id) for email, lead in leads.items()}
    assert owners == {
        "before@example.nl": ("nurture", None),
        "after@example.nl": ("nurture", sanne),
    }


def test_switching_nurture_owners_off_again_leaves_new_nurture_leads_without_one(
    app, client, admin, sanne
):
    save_rules(client, nurture_owners="y")
    save_rules(client, nurture_owners=None)

    Visitor(app.test_client()).submit("demo-ebook", contact={"email": "jan@example.nl"})

    assert stored(app)["nurture_owners"] is False
    with app.app_context():
        lead = db.session.scalars(db.select(Lead)).one()
    assert (lead.list, lead.owner_id) == ("nurture", None)


# Rules in force


def test_a_stored_rule_routes_a_matching_opportunity_to_its_person_and_the_rest_by_turns(
    app, client, admin, sanne, bas
):
    save_rules(client, rule_fields(1, bas, channel="paid", form_id=form_ids(app)["demo-contact"]))
    visitor = Visitor(app.test_client())

    visitor.submit(
        "demo-contact", contact={"email": "ad@example.nl"}, query="utm_source=google&utm_medium=cpc"
    )
    visitor.submit("demo-contact", contact={"email": "direct@example.nl"})

    with app.app_context():
        leads = {lead.email: lead for lead in db.session.scalars(db.select(Lead))}
        log = {email: [c.reason for c in lead.owner_changes] for email, lead in leads.items()}
        owners = {email: lead.owner_id for email, lead in leads.items()}
        channels = {email: lead.channel for email, lead in leads.items()}
    assert channels == {"ad@example.nl": "paid", "direct@example.nl": "direct"}
    assert leads["ad@example.nl"].list == leads["direct@example.nl"].list == "opportunity"
    assert owners["ad@example.nl"] == bas
    assert log["ad@example.nl"] == ['rule 1: channel paid, form "Ask for a demo" → Bas de Vries']
    assert owners["direct@example.nl"] in (sanne, bas)
    assert log["direct@example.nl"] == ["round robin"]


def test_a_rule_whose_person_was_deactivated_since_shows_as_a_problem(
    app, client, admin, sanne, bas
):
    save_rules(client, rule_fields(1, bas, size_class="large"))
    with app.app_context():
        db.session.get(User, bas).active = False
        db.session.commit()

    page = client.get(PATH)

    problems = soup_of(page).select_one(".assignment-problems").get_text(" ", strip=True)
    assert "Rule 1: Bas de Vries is deactivated: this rule is passed over" in problems
    assert "Bas de Vries is deactivated: this rule is passed over" in (
        soup_of(page).select_one("#rule-1 .rule-problem").get_text(strip=True)
    )
    assert shown_rules(page)[0]["person_id"] == str(bas)


def test_a_rule_whose_person_was_deactivated_must_change_before_anything_saves(
    app, client, admin, sanne, bas
):
    save_rules(client, rule_fields(1, bas, size_class="large"))
    with app.app_context():
        db.session.get(User, bas).active = False
        db.session.commit()
    before = stored(app)

    answer = send(client, PATH, nurture_owners="y")

    assert answer.status_code == 422
    assert field_errors(answer)["rules-0-person_id"] == (
        "Bas de Vries is deactivated: choose someone who takes leads."
    )
    assert stored(app) == before


# Refused input


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        ({}, "rules-0", "A rule needs at least one of size, sector, channel or form."),
        ({"size_class": "huge"}, "rules-0-size_class", "Choose small, medium or large"),
        ({"sector": "bakeries"}, "rules-0-sector", "bakeries is not in the sector list"),
        ({"channel": "pigeon"}, "rules-0-channel", "Choose one of the channels"),
        ({"form_id": "99999"}, "rules-0-form_id", "There is no such form"),
        ({"form_id": "abc"}, "rules-0-form_id", "There is no such form"),
    ],
)
@pytest.mark.parametrize("path", [PATH, PREVIEW])
def test_a_bad_rule_is_refused_beside_its_field_with_the_input_kept(
    app, client, admin, sanne, path, rule, field, message
):
    answer = save_rules(client, rule_fields(1, sanne, **rule), path=path)

    assert answer.status_code == 422
    assert message in field_errors(answer)[field]
    assert shown_rules(answer) == [
        {
            "size_class": "",
            "sector": "",
            "channel": "",
            "form_id": "",
            "person_id": str(sanne),
            **rule,
        }
    ]
    assert "Nothing was saved" in text(answer)
    assert soup_of(answer).select_one("#assignment-preview") is None
    assert stored(app) is None


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("deactivated", "Eva Gone is deactivated: choose someone who takes leads."),
        ("admin", "does not take leads: choose someone who does"),
        ("nobody", "Choose who gets the leads this rule catches."),
        ("unknown", "There is no such person"),
    ],
)
def test_a_rule_naming_someone_who_does_not_take_leads_is_refused_by_name(
    app, client, admin, sanne, users, who, message
):
    person = {
        "deactivated": lambda: add_person(app, "eva@leadgate.test", "Eva Gone", active=False),
        "admin": lambda: users["admin"][0],
        "nobody": lambda: "",
        "unknown": lambda: 99999,
    }[who]()

    answer = save_rules(client, rule_fields(1, person, size_class="large"))

    assert answer.status_code == 422
    assert message in field_errors(answer)["rules-0-person_id"]
    assert shown_rules(answer)[0]["person_id"] == str(person)
    assert stored(app) is None


def test_two_bad_rules_each_get_their_own_message(app, client, admin, sanne):
    answer = save_rules(client, rule_fields(1, sanne), rule_fields(2, sanne, sector="bakeries"))

    errors = field_errors(answer)
    assert answer.status_code == 422
    assert "at least one of size" in errors["rules-0"]
    assert "bakeries" in errors["rules-1-sector"]
    assert stored(app) is None


# The preview


@pytest.fixture
def open_leads(app):
    """Open opportunities of the last 90 days, and leads the preview must leave out."""
    ebook = form_ids(app)["demo-ebook"]
    with app.app_context():
        for _ in range(2):
            make_lead(days_ago=1, headcount="1000+", sector="ict")
        make_lead(days_ago=2, headcount="250-999", sector="healthcare")
        for _ in range(2):
            make_lead(days_ago=3, headcount="50-99", sector="healthcare")
        make_lead(days_ago=4, headcount="2-9", sector="retail", first_form_id=ebook)
        make_lead(days_ago=5, headcount="10-49", sector="ict", channel="paid")
        # Not counted: closed, not an opportunity, older than 90 days.
        make_lead(days_ago=1, headcount="1000+", outcome="won")
        make_lead(days_ago=1, headcount="1000+", list="nurture")
        make_lead(days_ago=91, headcount="1000+")
        db.session.commit()
    return ebook


def preview_table(response) -> dict[str, tuple[int, str]]:
    return {
        row["data-rule"]: (
            int(row.select_one(".count-cell").get_text()),
            row.select_one(".share-cell").get_text(),
        )
        for row in soup_of(response).select("#assignment-catches tr[data-rule]")
    }


def test_the_preview_counts_what_each_rule_would_catch_and_what_goes_by_turns(
    app, client, admin, sanne, bas, open_leads
):
    answer = save_rules(
        client,
        rule_fields(1, sanne, size_class="large"),
        rule_fields(2, bas, sector="healthcare"),
        rule_fields(3, bas, form_id=open_leads),
        rule_fields(4, sanne, sector="healthcare", size_class="medium"),
        path=PREVIEW,
        headers=HTMX,
    )

    assert answer.status_code == 200
    assert soup_of(answer).select_one("html") is None
    assert preview_table(answer) == {
        "1": (3, "43%"),
        "2": (2, "29%"),
        "3": (1, "14%"),
        "4": (0, "0%"),
        "turns": (1, "14%"),
    }
    words = text(answer)
    assert "Counted: 7 open opportunities." in words
    assert "Rule 2 also matches 1 lead that an earlier rule takes first." in words
    assert "Rule 4 also matches 2 leads that an earlier rule takes first." in words
    assert len(shown_rules(answer)) == 4  # the rules as typed stay in the editor
    assert stored(app) is None


def test_the_preview_reads_only_the_newest_opportunities_and_says_so(
    app, client, admin, sanne, open_leads, monkeypatch
):
    monkeypatch.setattr(assignment_page, "PREVIEW_ROWS", 3)

    answer = save_rules(client, rule_fields(1, sanne, sector="healthcare"), path=PREVIEW)

    assert answer.status_code == 200
    # The newest three: two large ict leads (1 day) and one large healthcare lead (2 days).
    assert preview_table(answer) == {"1": (1, "33%"), "turns": (2, "67%")}
    assert "Counted: the newest 3 open opportunities." in text(answer)


def test_the_preview_without_rules_gives_every_lead_to_turns(app, client, admin, sanne, open_leads):
    answer = send(client, PREVIEW)

    assert preview_table(answer) == {"turns": (7, "100%")}


# Who may


@pytest.mark.parametrize(
    ("method", "path"), [("get", PATH), ("post", EDIT), ("post", PREVIEW), ("post", PATH)]
)
def test_a_sales_person_may_not_open_or_change_the_assignment(app, client, auth, method, path):
    auth.login("sales")
    token = auth.csrf_token("/sales/")
    data = {"csrf_token": token, "nurture_owners": "y", "edit": "add"}

    answer = getattr(client, method)(path, data=data)

    assert answer.status_code == 403
    assert stored(app) is None


@pytest.mark.parametrize(("method", "path"), [("get", PATH), ("post", EDIT), ("post", PATH)])
def test_without_login_the_assignment_page_sends_you_to_log_in(app, client, users, method, path):
    data = {"csrf_token": login_token(client), "nurture_owners": "y", "edit": "add"}

    answer = getattr(client, method)(path, data=data)

    assert answer.status_code == 302
    assert "/login" in answer.location
    assert stored(app) is None


def test_saving_needs_the_csrf_token(app, client, admin, sanne):
    answer = save_rules(client, rule_fields(1, sanne, size_class="large"), csrf_token=None)

    assert answer.status_code == 400
    assert stored(app) is None
