"""The demo's sales team (`flask --app wsgi demo-traffic`): three named
people, one of them away this week, and two assignment rules, so a newcomer
sees owners, My leads and the hand-over at once. Never for a real install.
"""

import secrets
from datetime import datetime, timedelta

from werkzeug.security import generate_password_hash

from ..domain.assignment import (
    AssignmentRule,
    AssignmentSettings,
    LeadToAssign,
    Turn,
    assign,
)
from ..extensions import db
from ..leads.owners import business_today, people, save_settings, stored_settings
from ..models import Absence, Lead, OwnerChange, User
from ..web.filters import business_zone

# (e-mail, name, weight, booking link): Chris works part-time.
TEAM = [
    ("anna@leadgate.local", "Anna de Vries", 2, "https://cal.example.com/anna-de-vries/intro"),
    ("bas@leadgate.local", "Bas Jansen", 2, None),
    ("chris@leadgate.local", "Chris Bakker", 1, None),
]
AWAY = "bas@leadgate.local"


def seed_team() -> str | None:
    """Add the demo sales people, Bas's absence this week and the rules,
    unless there are sales users already; return the password they share
    (None: nothing added). The caller commits."""
    if db.session.scalar(db.select(User.id).where(User.role == "sales").limit(1)):
        return None
    password = secrets.token_urlsafe(9)
    hashed = generate_password_hash(password)
    users = {}
    for email, name, weight, booking in TEAM:
        user = User(
            email=email,
            name=name,
            role="sales",
            weight=weight,
            booking_url=booking,
            password_hash=hashed,
        )
        db.session.add(user)
        users[email] = user
    db.session.flush()
    today = business_today()
    db.session.add(
        Absence(
            user_id=users[AWAY].id,
            starts=today - timedelta(days=2),
            ends=today + timedelta(days=4),
        )
    )
    anna, chris = users["anna@leadgate.local"], users["chris@leadgate.local"]
    rules = (
        AssignmentRule(anna.id, size_class="large", label="large firms → Anna de Vries"),
        AssignmentRule(chris.id, sector="ict", label="sector ict → Chris Bakker"),
    )
    save_settings(AssignmentSettings(rules), None)
    return password


class DemoAssigner:
    """Owners for demo leads made in the past: the real choice (rules, then
    weighted turns), on the day each lead came in, logged at that moment."""

    def __init__(self) -> None:
        self.team = people()
        self.rules = stored_settings().rules
        self.turn = Turn()

    def give_owner(self, lead: Lead, when: datetime) -> None:
        if lead.list != "opportunity":
            return
        facts = LeadToAssign(
            headcount=lead.headcount,
            sector=lead.sector,
            channel=lead.channel,
            form_id=lead.first_form_id,
        )
        day = when.astimezone(business_zone()).date()
        chosen = assign(facts, self.team, self.rules, self.turn, day)
        self.turn = chosen.turn
        if chosen.person_id is None:
            return
        lead.owner_id = chosen.person_id
        change = OwnerChange(
            lead_id=lead.id, to_user_id=chosen.person_id, reason=chosen.why, created_at=when
        )
        db.session.add(change)
