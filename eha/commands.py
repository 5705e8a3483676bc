"""Command-line groups: ``flask users``, ``flask demo``, ``flask audit``, ``flask plans``."""

import json
import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from eha.extensions import db
from eha.models.choices import ROLES

users_cli = AppGroup("users", help="Manage user accounts.")
audit_cli = AppGroup("audit", help="Check the audit trail.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", required=True, help="practitioner, manager or admin.")
@click.option("--agency", "agency_name", required=True, help="The name of an existing agency.")
def create_user_command(email, name, role, agency_name):
    """Create a user. The password is read from standard input, or prompted for on a terminal."""
    from eha import audit
    from eha.auth.passwords import hash_password, password_problem
    from eha.models.users import Agency, User

    if role not in ROLES:
        raise click.ClickException(f"Unknown role '{role}'. Use one of: {', '.join(ROLES)}")
    email_norm = User.normalise_email(email)
    if "@" not in email_norm or len(email_norm) > 320:
        raise click.ClickException(f"'{email}' is not a valid email address")
    if db.session.scalar(sa.select(User).where(User.email == email_norm)):
        raise click.ClickException(f"A user with the email address {email_norm} already exists")
    agency = db.session.scalar(sa.select(Agency).where(sa.func.lower(Agency.name) == agency_name.strip().lower()))
    if agency is None:
        raise click.ClickException(f"No agency called '{agency_name}'")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password, email=email_norm, name=name)
    if problem:
        raise click.ClickException(problem)
    user = User(email=email_norm, name=name.strip(), role=role, agency=agency, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("admin_change", detail={"change": "user created", "user": email_norm, "via": "command line"})
    db.session.commit()
    click.echo(f"Created {role} {email_norm} at {agency.name}")


@click.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the demo users and cases as JSON.")
def demo_command(as_json):
    """Load demo data (idempotent): agencies, users of every role, families and cases."""
    from eha.demo import load_demo

    summary = load_demo()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(f"Demo data ready: {len(summary['users'])} users, {len(summary['assessments'])} cases.")
        click.echo("Demo accounts use the password in EHA_DEMO_PASSWORD (default: demo-password-change-me).")
        for user in summary["users"]:
            click.echo(f"  {user['role']:<12} {user['email']:<40} {user['agency']}")


@audit_cli.command("verify")
def audit_verify_command():
    """Check the audit trail's hash chain; exit 1 naming the first bad event."""
    from eha import audit

    ok, checked, bad, problem = audit.verify()
    if ok:
        click.echo(f"Audit trail intact: {checked} events checked.")
        return
    if bad is not None:
        click.echo(
            f"Audit trail broken at event {bad.seq} (id {bad.id}, {bad.action} at "
            f"{bad.occurred_at:%Y-%m-%d %H:%M:%S} UTC): {problem}. {checked} events before it are intact.",
            err=True,
        )
    else:
        click.echo(f"Audit trail broken: {problem}. {checked} events checked.", err=True)
    sys.exit(1)


# --- flask plans: check a printed plan's code from the server (an operator: every case is visible) ---

plans_cli = AppGroup("plans", help="Signed plans.")



@plans_cli.command("verify")
@click.argument("digest", nargs=-1, required=True)
def verify_command(digest):
    """Find the signed plan whose printed code is DIGEST (spaces and capitals do not matter)."""
    from eha.services import documents

    text = " ".join(digest)
    if documents.normalise_digest(text) is None:
        click.echo("Enter the 64-character code printed on the plan", err=True)
        sys.exit(2)
    match = documents.find_by_digest(text, everything=True)
    if match is None:
        click.echo("No signed plan has this digest", err=True)
        sys.exit(1)
    version = match.version
    signed = f"{version.signed_at:%Y-%m-%d}" if version.signed_at else "date not recorded"
    click.echo(f"{match.case.ref} plan version {version.number}, signed {signed}: {match.standing}")


def register_commands(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(plans_cli)
