"""Who follows up: an opportunity gets an owner (round robin over the sales
people, a hand entry to whoever enters it), logged on the lead, shown on
the list, the lead page and in the CSV; nobody available leaves it unassigned."""

import csv
import io
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bs4 import BeautifulSoup
from werkzeug.security import generate_password_hash

from capture.db.transactions import begin_write
from capture.domain.assignment import AssignmentRule, AssignmentSettings, LeadToAssign
from capture.extensions import db
from capture.leads.owners import (
    assignment_settings,
    choose_owner,
    hand_over_from_unavailable,
    save_settings,
)
from capture.models import Lead, OwnerChange, User, utcnow

from ..support.auth import PASSWORD, Auth
from ..support.factories import make_lead
from ..support.visitor import CONTACT, Visitor

ROOT = Path(__file__).resolve().parents[2]


def add_sales_person(app, email: str, name: str | None = None) -> int:
    with app.app_context():
        user = User(
            email=email, name=name, role="sales", password_hash=generate_password_hash(PASSWORD)
        )
        db.session.add(user)
        db.session.commit()
        return user.id


def leads_by_email(app) -> dict[str, Lead]:
    with app.app_context():
        leads = db.session.scalars(db.select(Lead)).all()
        for lead in leads:
            _ = lead.owner, [(c.from_user, c.to_user, c.user) for c in lead.owner_changes]
        return {lead.email: lead for lead in leads}


def submit_opportunity(client, email: str, **qualify):
    Visitor(client).submit("demo-contact", contact={"email": email}, qualify=qualify or None)


def test_a_new_opportunity_gets_the_sales_person_and_the_log_says_why(app, client, users):
    submit_opportunity(client, "anna@bakkerij.nl")

    lead = leads_by_email(app)["anna@bakkerij.nl"]
    assert lead.list == "opportunity"
    assert lead.owner_id == users["sales"][0]
    ((change),) = lead.owner_changes
    assert (change.from_user_id, change.to_user_id, change.user_id) == (None, lead.owner_id, None)
    assert change.reason == "round robin"


def test_opportunities_take_turns_between_the_sales_people(app, client, users):
    bas = add_sales_person(app, "bas@leadgate.test", "Bas Bakker")
    for number in range(6):
        submit_opportunity(client, f"lead{number}@example.nl")

    owners = Counter(lead.owner_id for lead in leads_by_email(app).values())
    assert owners == Counter({users["sales"][0]: 3, bas: 3})


def test_a_nurture_lead_gets_no_owner(app, client, users):
    Visitor(client).submit("demo-ebook", contact={"email": "jan@example.nl"})

    lead = leads_by_email(app)["jan@example.nl"]
    assert lead.list != "opportunity"
    assert lead.owner_id is None and lead.owner_changes == []


def test_with_nobody_to_take_it_an_opportunity_is_unassigned_and_says_so(app, client):
    submit_opportunity(client, "anna@bakkerij.nl")

    lead = leads_by_email(app)["anna@bakkerij.nl"]
    assert lead.owner_id is None
    assert [change.reason for change in lead.owner_changes] == ["nobody available"]


def test_a_lead_disqualified_by_its_own_qualifying_step_loses_its_owner(app, client, users):
    visitor = Visitor(client)
    visitor.open("demo-contact")
    visitor.post({**CONTACT, "email": "klein@example.nl", "consent": "y"})
    contact_step_owner = leads_by_email(app)["klein@example.nl"].owner_id

    visitor.post({"sector": "ict", "headcount": "2-9"})

    lead = leads_by_email(app)["klein@example.nl"]
    assert contact_step_owner == users["sales"][0]
    assert (lead.list, lead.owner_id) == ("disqualified", None)
    assert lead.owner_changes[-1].reason == "disqualified by its own answers"


def test_a_lead_pinned_to_disqualified_by_a_person_keeps_its_owner_after_its_next_step(
    app, client, auth, users
):
    visitor = Visitor(client)
    visitor.open("demo-contact")
    visitor.post({**CONTACT, "email": "klein@example.nl", "consent": "y"})
    lead_id = leads_by_email(app)["klein@example.nl"].id
    sales = app.test_client()
    Auth(sales, users).login("sales")
    token = Auth(sales, users).csrf_token(f"/sales/leads/{lead_id}")
    sales.post(
        f"/sales/leads/{lead_id}/move",
        data={"csrf_token": token, "to_list": "disqualified", "reason": "Competitor"},
    )

    visitor.post({"sector": "ict", "headcount": "50-99"})

    lead = leads_by_email(app)["klein@example.nl"]
    assert (lead.list, lead.owner_id) == ("disqualified", users["sales"][0])
    assert [change.reason for change in lead.owner_changes] == ["round robin"]


def test_a_returning_opportunity_keeps_its_owner(app, client, users):
    submit_opportunity(client, "anna@bakkerij.nl")
    first_owner = leads_by_email(app)["anna@bakkerij.nl"].owner_id
    add_sales_person(app, "bas@leadgate.test")

    submit_opportunity(client, "anna@bakkerij.nl")

    lead = leads_by_email(app)["anna@bakkerij.nl"]
    assert lead.owner_id == first_owner and len(lead.owner_changes) == 1


def test_a_lead_entered_by_hand_goes_to_whoever_enters_it(app, client, auth, users):
    bas = add_sales_person(app, "bas@leadgate.test")
    submit_opportunity(client, "first@example.nl")  # the first turn: the next one is Bas's
    assert leads_by_email(app)["first@example.nl"].owner_id != bas
    auth.login("sales")
    page = client.get("/sales/leads/new").get_data(as_text=True)
    token = BeautifulSoup(page, "html.parser").select_one("input[name=csrf_token]")["value"]
    nonce = BeautifulSoup(page, "html.parser").select_one("input[name=nonce]")
    fields = {
        "csrf_token": token,
        "email": "marleen@drukkerij.nl",
        "name": "Marleen Visser",
        "company": "Drukkerij Visser",
        "sector": "manufacturing",
        "headcount": "50-99",
        "role": "owner",
        "interest": "demo",
        "channel": "manual",
    }
    if nonce is not None:
        fields["nonce"] = nonce["value"]

    client.post("/sales/leads/new", data=fields)

    lead = leads_by_email(app)["marleen@drukkerij.nl"]
    assert lead.list == "opportunity"
    assert lead.owner_id == users["sales"][0]
    ((change),) = lead.owner_changes
    assert (change.reason, change.user_id) == ("entered by hand", users["sales"][0])


def test_moving_a_lead_to_opportunity_gives_it_an_owner(app, client, auth, users):
    with app.app_context():
        lead_id = make_lead(list="nurture").id
        db.session.commit()
    auth.login("sales")
    token = auth.csrf_token(f"/sales/leads/{lead_id}")

    client.post(
        f"/sales/leads/{lead_id}/move",
        data={
            "csrf_token": token,
            "to_list": "opportunity",
            "other_reason": "Called: wants a demo",
        },
    )

    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert lead.owner_id == users["sales"][0]
        ((change),) = lead.owner_changes
        assert change.user_id == users["sales"][0]  # who moved it


def test_the_owner_shows_on_the_list_the_lead_page_and_in_the_csv(app, client, auth, users):
    with app.app_context():
        db.session.get(User, users["sales"][0]).name = "Sanne Bakker"
        db.session.commit()
    submit_opportunity(client, "anna@bakkerij.nl")
    lead_id = leads_by_email(app)["anna@bakkerij.nl"].id
    auth.login("sales")

    listed = BeautifulSoup(client.get("/sales/").get_data(as_text=True), "html.parser")
    page = BeautifulSoup(
        client.get(f"/sales/leads/{lead_id}").get_data(as_text=True), "html.parser"
    )
    exported = client.get("/sales/export.csv?list=opportunity").get_data(as_text=True)

    assert listed.select_one("td.who .owner").get_text(strip=True) == "Owner: Sanne Bakker"
    assert page.select_one("dd.owner").get_text(strip=True) == "Sanne Bakker"
    assert "round robin" in page.select_one(".owner-log").get_text(" ", strip=True)
    (row,) = csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))
    assert row["owner"] == users["sales"][1]


def test_erasing_a_person_erases_their_owner_log(app, client, users):
    from capture.leads.privacy import erase_by_request

    submit_opportunity(client, "anna@bakkerij.nl")
    lead_id = leads_by_email(app)["anna@bakkerij.nl"].id
    with app.test_request_context():
        erase_by_request(lead_id)
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(OwnerChange.id))) == 0


def test_two_workers_taking_turns_at_once_never_give_a_turn_twice(app, users):
    add_sales_person(app, "bas@leadgate.test")
    turns: list[int] = []
    lock = threading.Lock()

    def worker():
        with app.app_context():
            for _ in range(100):
                begin_write()
                chosen = choose_owner(LeadToAssign())
                # A slow request: the other worker wants its turn meanwhile.
                time.sleep(0.002)
                db.session.commit()
                with lock:
                    turns.append(chosen.turn.number)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Every turn given once: none twice, none skipped.
    assert sorted(turns) == list(range(1, 201))


def test_two_processes_assigning_200_leads_give_each_person_their_exact_share(
    app, users, tmp_path, database_url
):
    # Three people with weights 2, 2 and 1: 200 turns are 80, 80 and 40.
    anna = add_sales_person(app, "anna@leadgate.test")
    bas = add_sales_person(app, "bas@leadgate.test")
    with app.app_context():
        db.session.execute(db.update(User).where(User.id == bas).values(weight=1))
        others = db.session.scalars(
            db.select(User.id).where(User.role == "sales", User.id.not_in([anna, bas]))
        ).all()
        db.session.commit()
    assert len(others) == 1
    command = [sys.executable, "-m", "tests.support.assigning", database_url, str(tmp_path)]
    processes = [
        subprocess.Popen([*command, "100"], stdout=subprocess.PIPE, text=True, cwd=ROOT)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0]
    turns = [line.split() for output in outputs for line in output.splitlines()]

    # No turn given twice, none skipped, and the shares exact.
    assert sorted(int(number) for _, number in turns) == list(range(1, 201))
    shares = Counter(int(person) for person, _ in turns)
    assert shares == {anna: 80, others[0]: 80, bas: 40}


def test_a_rule_on_size_takes_a_contact_form_lead_after_its_answers_and_gives_the_turn_back(
    app, client, users
):
    # The contact form makes an opportunity at its first step, before the
    # size is known: it gets an owner by turns, then the rule's person.
    anna = add_sales_person(app, "anna@leadgate.test", "Anna")
    sales = users["sales"][0]
    with app.app_context():
        rule = AssignmentRule(anna, size_class="large", label="large firms → Anna")
        save_settings(AssignmentSettings((rule,)), None)
        db.session.commit()

    submit_opportunity(client, "big@example.nl", headcount="1000+")
    submit_opportunity(client, "medium1@example.nl", headcount="50-99")
    submit_opportunity(client, "medium2@example.nl", headcount="50-99")

    leads = leads_by_email(app)
    big = leads["big@example.nl"]
    assert big.owner_id == anna
    assert [(c.from_user_id, c.to_user_id) for c in big.owner_changes][-1][1] == anna
    assert big.owner_changes[-1].reason == "rule 1: large firms → Anna (after its answers)"
    # The turn the big firm took first was given back: the person it went to
    # gets the next turn again, as if it had never been taken.
    first_turn = big.owner_changes[-1].from_user_id
    medium = [leads[f"medium{n}@example.nl"].owner_id for n in (1, 2)]
    assert medium == [first_turn, anna if first_turn == sales else sales]


def test_the_workers_sweep_hands_over_what_a_deactivated_person_still_holds_once(app, users):
    # A lead that reached someone at the moment they were deactivated.
    bas = add_sales_person(app, "bas@leadgate.test", "Bas")
    with app.app_context():
        lead_ids = [make_lead(owner_id=bas).id for _ in range(3)]
        answered = make_lead(owner_id=bas, first_response_at=utcnow()).id
        # Answered once, and back on the opportunities with a clock that runs.
        back = make_lead(
            owner_id=bas, first_response_at=utcnow(), respond_by=utcnow() + timedelta(hours=1)
        ).id
        lead_ids.append(back)
        db.session.execute(db.update(User).where(User.id == bas).values(active=False))
        db.session.commit()

        first, again = hand_over_from_unavailable(), hand_over_from_unavailable()

        assert (first, again) == (4, 0)
        owners = {i: db.session.get(Lead, i).owner_id for i in [*lead_ids, answered]}
        assert owners == {**dict.fromkeys(lead_ids, users["sales"][0]), answered: bas}
        reasons = db.session.scalars(db.select(OwnerChange.reason)).all()
        assert reasons == ["its owner was deactivated; round robin"] * 4


def test_two_workers_sweeping_at_once_move_each_lead_once(app, users):
    bas = add_sales_person(app, "bas@leadgate.test", "Bas")
    with app.app_context():
        lead_ids = [make_lead(owner_id=bas).id for _ in range(40)]
        db.session.execute(db.update(User).where(User.id == bas).values(active=False))
        db.session.commit()
    moved: list[int] = []

    def worker():
        with app.app_context():
            moved.append(hand_over_from_unavailable())
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with app.app_context():
        changes = db.session.scalars(db.select(OwnerChange.lead_id)).all()
        assert sorted(changes) == sorted(lead_ids)  # each lead moved once
        owners = {db.session.get(Lead, i).owner_id for i in lead_ids}
        assert owners == {users["sales"][0]}


def test_a_long_running_worker_sees_the_assignment_rules_saved_since(app, users):
    anna = add_sales_person(app, "anna@leadgate.test", "Anna")
    with app.app_context():  # one app context for the whole run, as `flask worker`
        assert assignment_settings().rules == ()
        rule = AssignmentRule(anna, channel="direct", label="direct → Anna")
        save_settings(AssignmentSettings((rule,)), None)
        db.session.commit()

        assert assignment_settings().rules == (rule,)
