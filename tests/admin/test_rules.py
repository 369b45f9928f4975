"""The qualification rules page: edit, preview the effect on the leads, save."""

import pytest
from bs4 import BeautifulSoup

from capture.extensions import db
from capture.leads.qualification import current_rules
from capture.models import Lead, ListChange, Setting

from ..support.rule_changes import logged, routed_lead, snapshot
from ..support.visitor import Visitor, page_inputs

PATH = "/admin/rules"
PREVIEW = "/admin/rules/preview"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def admin(auth):
    return auth.login("admin")


@pytest.fixture
def known_leads(app):
    """4 nurture leads at 10-49, 2 at 50-99 and a pinned one at 10-49."""
    with app.app_context():
        small = [routed_lead("10-49").id for _ in range(4)]
        medium = [routed_lead("50-99").id for _ in range(2)]
        pinned = routed_lead("10-49", pinned=True).id
        db.session.commit()
    return {"small": small, "medium": medium, "pinned": pinned}


def editor_values(html: str) -> dict:
    """The editor's fields as a browser sends them (ticked checkboxes as lists)."""
    return page_inputs(html, within="#rules-editor", checkbox_lists=True)


def send(client, path: str, headers=None, **changes):
    """Open the editor and post it to `path`, with `changes` to the filled-in values."""
    values = {**editor_values(client.get(PATH).get_data(as_text=True)), **changes}
    return client.post(path, data=values, headers=headers or {})


def field_errors(response) -> dict:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {
        p["id"].removesuffix("-error"): p.get_text(strip=True)
        for p in soup.select("p[id$='-error']")
    }


def table(response, table_id: str) -> dict:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {
        (row["data-from"], row["data-to"]): int(row.select_one(".count-cell").get_text())
        for row in soup.select(f"#{table_id} tr[data-from]")
    }


def page_soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(response) -> str:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return " ".join(soup.get_text(" ", strip=True).split())


# The editor


def test_the_editor_is_filled_in_with_the_rules_in_force(client, admin):
    values = editor_values(client.get(PATH).get_data(as_text=True))

    assert values["sectors"].splitlines()[:3] == ["agriculture", "construction", "manufacturing"]
    assert (values["min_headcount"], values["max_headcount"]) == ("10-49", "")
    assert (values["hot_days"], values["warm_days"]) == ("2", "30")
    assert (values["band_10_49"], values["band_1000_plus"]) == ("40", "100")
    assert (values["intent_low"], values["intent_medium"], values["intent_high"]) == (
        "5",
        "20",
        "60",
    )
    assert values["opportunity_threshold"] == "150"
    assert values["target_sectors"] == values["excluded_sectors"] == []
    assert "Too small" in values["disqualification_reasons"].splitlines()
    assert values["apply"] == "new"


def test_the_admin_menu_links_the_rules_page(client, admin):
    soup = BeautifulSoup(client.get(PATH).get_data(as_text=True), "html.parser")

    assert soup.select_one("nav.subnav a[aria-current=page]")["href"] == PATH


# The preview


def test_the_preview_shows_how_many_leads_a_higher_minimum_would_move(
    app, client, admin, known_leads
):
    before = snapshot(app)

    answer = send(client, PREVIEW, min_headcount="50-99")

    assert answer.status_code == 200
    assert table(answer, "rules-moves") == {("nurture", "disqualified"): 4}
    assert table(answer, "rules-held") == {("nurture", "disqualified"): 1}
    assert "4 nurture leads would be disqualified" in text(answer)
    assert "minimum headcount 10-49 → 50-99" in text(answer)
    assert editor_values(answer.get_data(as_text=True))["min_headcount"] == "50-99"
    assert snapshot(app) == before and logged(app) == []


def test_an_htmx_preview_answers_with_the_editor_alone(client, admin, known_leads):
    answer = send(client, PREVIEW, headers=HTMX, opportunity_threshold="70")

    soup = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert answer.status_code == 200
    assert soup.select_one("html") is None
    assert soup.select_one("div#rules-editor form")["action"] == PATH
    assert table(answer, "rules-moves") == {("nurture", "opportunity"): 2}
    assert "HX-Request" in answer.headers["Vary"]


def test_a_sector_added_to_the_list_can_be_ticked_after_a_preview(client, admin):
    sectors = editor_values(client.get(PATH).get_data(as_text=True))["sectors"]

    answer = send(client, PREVIEW, sectors=sectors + "\nbakeries")

    soup = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert soup.select_one("input[name=target_sectors][value=bakeries]") is not None
    assert "sector list +bakeries" in text(answer)


# Saving


def test_rerouting_on_save_moves_exactly_the_previewed_leads_logged_by_the_rules(
    app, client, admin, known_leads
):
    before = snapshot(app)
    preview = send(client, PREVIEW, min_headcount="50-99")
    values = {**editor_values(preview.get_data(as_text=True)), "apply": "reroute"}

    answer = client.post(PATH, data=values)

    assert answer.status_code == 303
    assert answer.location.endswith(PATH)
    after = snapshot(app)
    moved = {lead_id for lead_id in after if after[lead_id][0] != before[lead_id][0]}
    assert moved == set(known_leads["small"])
    log = logged(app)
    assert sorted(entry[0] for entry in log) == known_leads["small"]
    for _lead_id, from_list, to_list, reason, user_id in log:
        assert (from_list, to_list, user_id) == ("nurture", "disqualified", None)
        assert reason.startswith("Rules changed: minimum headcount 10-49 → 50-99: Too small")
    page = client.get(PATH)
    assert "Re-routed the existing leads: 4 nurture → disqualified" in text(page)
    assert page_soup(page).select_one("#rules-rerouting") is None  # nothing left to do


def test_a_long_reroute_goes_on_slice_by_slice_until_every_lead_is_done(
    app, client, admin, known_leads
):
    app.config.update(LEADS_REROUTE_SECONDS=0, LEADS_REROUTE_BATCH=2)  # one batch of 2 a slice

    send(client, PATH, min_headcount="50-99", apply="reroute")
    card = page_soup(client.get(PATH)).select_one("#rules-rerouting")
    slices = 1
    while card.select_one("form"):
        token = card.select_one("input[name=csrf_token]")["value"]
        answer = client.post(card.form["action"], data={"csrf_token": token}, headers=HTMX)
        assert answer.status_code == 200
        card = page_soup(answer).select_one("#rules-rerouting")
        slices += 1

    assert slices == 4  # 6 unpinned leads, 2 a slice, and the slice that finds none left
    assert "Re-routed the existing leads: 4 nurture → disqualified" in card.get_text()
    assert sorted(entry[0] for entry in logged(app)) == known_leads["small"]
    with app.app_context():
        assert db.session.get(Setting, "rules_rerouting") is None


def test_an_unfinished_reroute_stops_when_the_rules_change_again(app, client, admin, known_leads):
    app.config.update(LEADS_REROUTE_SECONDS=0, LEADS_REROUTE_BATCH=2)
    send(client, PATH, min_headcount="50-99", apply="reroute")  # leads 1 and 2 moved
    send(client, PATH, opportunity_threshold="140", apply="new")
    token = editor_values(client.get(PATH).get_data(as_text=True))["csrf_token"]

    client.post("/admin/rules/reroute", data={"csrf_token": token})

    page = client.get(PATH)
    assert "Re-routing stopped: the rules changed again" in text(page)
    assert page_soup(page).select_one("#rules-rerouting") is None
    assert sorted(entry[0] for entry in logged(app)) == known_leads["small"][:2]


def test_rerouting_leaves_pinned_leads_on_their_list(app, client, admin, known_leads):
    before = snapshot(app)[known_leads["pinned"]]

    send(client, PATH, min_headcount="100-249", apply="reroute")

    assert snapshot(app)[known_leads["pinned"]] == before
    assert known_leads["pinned"] not in {entry[0] for entry in logged(app)}
    with app.app_context():
        on_lists = db.session.scalars(
            db.select(Lead.list).where(Lead.id.in_(known_leads["medium"]))
        ).all()
    assert on_lists == ["disqualified", "disqualified"]


def test_new_submissions_only_leaves_existing_leads_but_routes_a_new_visitor_by_the_new_rules(
    app, client, admin, known_leads
):
    before = snapshot(app)

    answer = send(client, PATH, min_headcount="100-249", apply="new")
    Visitor(app.test_client()).submit("demo-ebook", qualify={"headcount": "50-99"})

    assert answer.status_code == 303
    after = snapshot(app)
    assert {lead_id: after[lead_id] for lead_id in before} == before
    with app.app_context():
        (new_lead,) = db.session.scalars(db.select(Lead).where(Lead.id.not_in(before))).all()
        changes = db.session.scalars(
            db.select(ListChange).where(ListChange.lead_id != new_lead.id)
        ).all()
    assert new_lead.list == "disqualified"
    assert new_lead.reason == "Too small: 50-99 employees, the minimum is 100-249"
    assert changes == []


def test_saved_rules_are_in_force_in_the_next_request(app, client, admin):
    send(client, PATH, target_sectors=["ict"], warm_days="21", band_50_99="65")

    values = editor_values(client.get(PATH).get_data(as_text=True))
    with app.test_request_context():
        rules = current_rules()
        setting = db.session.get(Setting, "qualification_rules")

    assert (values["target_sectors"], values["warm_days"], values["band_50_99"]) == (
        ["ict"],
        "21",
        "65",
    )
    assert (rules.target_sectors, rules.warm_days, rules.headcount_points["50-99"]) == (
        frozenset({"ict"}),
        21,
        65,
    )
    assert setting.updated_by_id == admin


def test_saving_unchanged_rules_stores_nothing(app, client, admin):
    answer = send(client, PATH)

    assert answer.status_code == 303
    with app.app_context():
        assert db.session.get(Setting, "qualification_rules") is None
    assert "nothing to save" in text(client.get(PATH))


def test_a_sector_removed_from_the_list_stays_on_the_leads_that_have_it(app, client, admin):
    with app.app_context():
        lead_id = routed_lead("50-99", sector="agriculture").id
        db.session.commit()
    sectors = editor_values(client.get(PATH).get_data(as_text=True))["sectors"]

    answer = send(client, PATH, sectors=sectors.replace("agriculture\n", ""), apply="reroute")

    assert answer.status_code == 303
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert "agriculture" not in current_rules().sectors
    assert (lead.sector, lead.list) == ("agriculture", "nurture")


# Refused input


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hot_days": "30", "warm_days": "30"}, "warm_days", "longer than hot"),
        ({"hot_days": "0"}, "hot_days", "from 1 to 365"),
        ({"warm_days": "400"}, "warm_days", "from 1 to 365"),
        (
            {"min_headcount": "250-999", "max_headcount": "50-99"},
            "max_headcount",
            "below the minimum",
        ),
        (
            {"target_sectors": ["ict"], "excluded_sectors": ["ict", "retail"]},
            "excluded_sectors",
            "both a target and excluded: ict",
        ),
        ({"disqualification_reasons": "\n  \n"}, "disqualification_reasons", "at least one"),
        (
            {"disqualification_reasons": "\n".join(f"Reason {n}" for n in range(21))},
            "disqualification_reasons",
            "At most 20",
        ),
        ({"disqualification_reasons": "Too small\nOther"}, "disqualification_reasons", "Other"),
        ({"band_10_49": "-5"}, "band_10_49", "from 0 to 1,000"),
        ({"intent_high": "1001"}, "intent_high", "from 0 to 1,000"),
        ({"repeat_points": ""}, "repeat_points", "Enter a number"),
        ({"target_sector_points": "ten"}, "target_sector_points", "integer"),
        ({"opportunity_threshold": "0"}, "opportunity_threshold", "from 1 to 5,000"),
        ({"sectors": ""}, "sectors", "at least one sector"),
        ({"sectors": "ict\nBusiness services"}, "sectors", "business services"),
        ({"sectors": "ict\nretail", "target_sectors": ["energy"]}, "target_sectors", "energy"),
        ({"min_headcount": "12-40"}, "min_headcount", "Choose a headcount band"),
    ],
)
@pytest.mark.parametrize("path", [PATH, PREVIEW])
def test_invalid_rules_are_refused_with_the_reason_and_the_input_kept(
    app, client, admin, path, changes, field, message
):
    answer = send(client, path, **changes)

    assert answer.status_code == 422
    assert message in field_errors(answer)[field]
    kept = editor_values(answer.get_data(as_text=True))
    for name, value in changes.items():
        if name in ("sectors", "disqualification_reasons"):
            assert kept[name].strip() == value.strip()
        elif isinstance(value, list):
            assert sorted(kept[name]) == sorted(value)
        elif name != "min_headcount" or value == "250-999":
            assert kept[name] == value
    with app.app_context():
        assert db.session.get(Setting, "qualification_rules") is None


def test_an_htmx_preview_of_invalid_rules_answers_with_the_editor_and_its_errors(client, admin):
    answer = send(client, PREVIEW, headers=HTMX, hot_days="40")

    soup = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    assert answer.status_code == 422
    assert soup.select_one("html") is None
    assert "longer than hot" in field_errors(answer)["warm_days"]
    assert soup.select_one("#rules-preview") is None


# Who may


@pytest.mark.parametrize(("method", "path"), [("get", PATH), ("post", PREVIEW), ("post", PATH)])
def test_a_sales_person_may_not_open_or_change_the_rules(app, client, auth, method, path):
    auth.login("sales")
    token = auth.csrf_token("/sales/")

    answer = getattr(client, method)(path, data={"csrf_token": token, "hot_days": "5"})

    assert answer.status_code == 403
    with app.app_context():
        assert db.session.get(Setting, "qualification_rules") is None


def test_without_login_the_rules_page_sends_you_to_log_in(client, users):
    answer = client.get(PATH)

    assert answer.status_code == 302
    assert "/login" in answer.location
