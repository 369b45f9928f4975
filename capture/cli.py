"""Command-line tasks: `init-db`, `seed-demo`, `demo-traffic`, `worker`, `create-user`."""

import contextlib
import json
import signal

import click
from flask import Flask
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash

from .access.names import tidy_name
from .demo.people import TEAM, seed_team
from .demo.seed import DEMO_ADMIN, seed_demo, seed_first_admin
from .demo.traffic import already_seeded, seed_traffic
from .domain.identity import email_key
from .extensions import db
from .leads.privacy import due_for_purge, erase_by_request, person_export, purge
from .models import NAME_LENGTH, Lead, User
from .notifications.delivery import deliver_due, run_worker


def _lead_by_email(email: str) -> Lead:
    lead = db.session.scalars(
        db.select(Lead).where(Lead.email_key == email_key(email))
    ).one_or_none()
    if lead is None:
        raise click.ClickException(f"No lead has the e-mail address {email}.")
    return lead


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create the database schema, or upgrade it to the latest version."""
        upgrade()
        click.echo("Database schema is up to date.")

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Add the demo forms `demo-ebook` and `demo-contact` if missing, and a
        first admin login when there are no users yet."""
        created = seed_demo()
        click.echo(f"Created demo forms: {', '.join(created)}" if created else "Demo forms exist.")
        password = seed_first_admin()
        if password:
            click.echo(
                f"Created the first login: {DEMO_ADMIN} with password {password}\n"
                "(shown once; make more users with `flask --app wsgi create-user`)."
            )

    @app.cli.command("demo-traffic")
    @click.option("--visitors", default=400, show_default=True)
    @click.option("--days", default=120, show_default=True)
    def demo_traffic_command(visitors, days):
        """Fill a demo install with months of visitors, leads, follow-up and costs
        (for trying the sales and insights pages; not for a real install)."""
        if already_seeded():
            click.echo("Demo traffic is already there.")
            return
        if db.session.scalar(db.select(Lead.id).limit(1)) is not None:
            click.echo("There are real leads here: demo traffic is only for an empty demo.")
            return
        password = seed_team()
        db.session.commit()
        if password:
            click.echo(
                "Added the demo sales team: "
                + ", ".join(f"{name} ({email})" for email, name, _, _ in TEAM)
                + f", password {password} (shown once)."
            )
        made = seed_traffic(visitors, days)
        click.echo(f"Added {visitors} demo visitors over {days} days: {made} leads.")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
    def worker_command(once):
        """Deliver notifications from the outbox (e-mail to sales, webhooks).
        Several may run at once; stop with Ctrl-C or SIGTERM."""
        if once:
            click.echo(f"Tried {deliver_due()} notifications.")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        click.echo("Delivering notifications; Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            run_worker(stop=lambda: bool(stopping))

    @app.cli.command("export-person")
    @click.argument("email")
    def export_person_command(email):
        """Print everything stored about the person with this e-mail address, as JSON."""
        lead = _lead_by_email(email)
        click.echo(json.dumps(person_export(lead), indent=2, ensure_ascii=False))

    @app.cli.command("erase-person")
    @click.argument("email")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def erase_person_command(email, yes):
        """Erase the person with this e-mail address (their lead and all about it)."""
        lead = _lead_by_email(email)
        if not yes:
            click.confirm(f"Erase {lead.email} and everything about them?", abort=True)
        erasure = erase_by_request(lead.id)
        click.echo(
            f"Erased: {erasure.submissions} submissions, {erasure.notes} notes, "
            f"{erasure.downloads} downloads, {erasure.notifications} notifications."
        )

    @app.cli.command("purge")
    @click.option("--dry-run", is_flag=True, help="Only say what would be erased.")
    def purge_command(dry_run):
        """Erase the leads past retention (LEADS_KEEP_DISQUALIFIED_DAYS, LEADS_KEEP_COLD_DAYS)."""
        if dry_run:
            due = due_for_purge()
            for lead_id, on_list, last_interest in due:
                day = f"{last_interest:%Y-%m-%d}"
                click.echo(f"would erase lead {lead_id} ({on_list}, last interest {day})")
            click.echo(f"{len(due)} leads would be erased.")
            return
        click.echo(f"{purge()} leads erased.")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice(["admin", "sales"]), required=True)
    @click.option("--password", required=True, help="At least 8 characters.")
    @click.option("--name", help='How colleagues see them named, e.g. "Anna de Vries".')
    def create_user(email, role, password, name):
        """Create a user, or reset the role and password (and name) of an existing one."""
        if len(password) < 8:
            raise click.BadParameter("use at least 8 characters", param_hint="--password")
        name = tidy_name(name or "")
        if len(name) > NAME_LENGTH:
            raise click.BadParameter(f"at most {NAME_LENGTH} characters", param_hint="--name")
        email = email.strip().lower()
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, role=role, password_hash="")
            db.session.add(user)
        user.role, user.active = role, True
        if name:
            user.name = name
        user.password_hash = generate_password_hash(password)
        user.end_sessions()  # a new password logs out the old sessions
        db.session.commit()
        click.echo(f"User {email} ({role}) is ready.")
