"""Command-line groups: ``flask users``, ``flask demo``, ``flask audit``, ``flask plans``."""

import json
import os
import sys
import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from eha.extensions import db
from eha.models.choices import ROLES

users_cli = AppGroup("users", help="Manage user accounts.")
audit_cli = AppGroup("audit", help="Chain, check and anchor the audit trail.")


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
    audit.record("admin_change", detail={"change": "user created", "user_id": user.id, "via": "command line"})
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


def _report_chain(chain):
    """Print what ``flask audit verify`` has always printed about the chain itself."""
    if chain.ok:
        waiting = (
            f" ({chain.pending} not linked into the chain yet: flask audit chain links them)" if chain.pending else ""
        )
        since = f" after checkpoint event {chain.started_at}" if chain.started_at else ""
        click.echo(f"Audit trail intact: {chain.events} events checked{since}.{waiting}")
    elif chain.bad is not None:
        bad = chain.bad
        click.echo(
            f"Audit trail broken at event {bad.seq} (id {bad.id}, {bad.action} at "
            f"{bad.occurred_at:%Y-%m-%d %H:%M:%S} UTC): {chain.problem}. {chain.events} events before it are intact.",
            err=True,
        )
    else:
        click.echo(f"Audit trail broken: {chain.problem}. {chain.events} events checked.", err=True)


def _read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as file:
        return file.readlines()


@audit_cli.command("verify")
@click.option(
    "--anchor",
    "anchor_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Also check that every checkpoint in this file (from flask audit anchor) is still on the chain.",
)
@click.option(
    "--since-anchor",
    is_flag=True,
    help="With --anchor: check only the latest checkpoint and verify the chain from it on (quick, e.g. hourly).",
)
def audit_verify_command(anchor_path, since_anchor):
    """Check the audit trail: every event's signature, every link, the head; exit 1 naming the first bad one."""
    from eha import audit

    if since_anchor and anchor_path is None:
        raise click.UsageError("--since-anchor needs --anchor FILE: the checkpoints are kept outside the database.")
    if anchor_path is None:
        chain = audit.check_chain()
        _report_chain(chain)
        if not chain.ok:
            sys.exit(1)
        return
    result = audit.check_anchors(_read_lines(anchor_path), since_last=since_anchor)
    _report_chain(result.chain)
    if result.first_bad is not None:
        click.echo(
            f"{result.first_bad.describe(anchor_path)} is not on the chain: {result.first_bad.problem}.", err=True
        )
        sys.exit(1)
    if not result.checkpoints:
        click.echo(f"No checkpoints found in {anchor_path}.", err=True)
        sys.exit(1)
    if not result.chain.ok:
        sys.exit(1)
    latest = max(result.checkpoints, key=lambda checkpoint: checkpoint.seq)
    if since_anchor:
        click.echo(
            f"The latest checkpoint in {anchor_path} is on the chain (event {latest.seq}, anchored {latest.at})."
        )
        return
    click.echo(
        f"All {len(result.checkpoints)} checkpoints in {anchor_path} are on the chain "
        f"(the latest: event {latest.seq}, anchored {latest.at})."
    )


@audit_cli.command("chain")
@click.option("--all", "everything", is_flag=True, help="Look at every event, however old, not only recent ones.")
@click.option(
    "--every",
    "every",
    type=click.FloatRange(min=0.1),
    help="Keep running, linking new events every SECONDS (as a service, next to the web servers).",
)
def audit_chain_command(everything, every):
    """Link the events written since the last run into the chain, in order (one chainer at a time)."""
    from eha import audit

    while True:
        run = audit.chain_pending(everything=everything)
        if run.problem:
            click.echo(f"Not linked: event {run.refused.seq} (id {run.refused.id}): {run.problem}.", err=True)
            sys.exit(1)
        if every is None:
            click.echo(f"Linked {run.linked} events: the chain now ends at event {run.position}.")
            return
        if run.linked:
            click.echo(f"Linked {run.linked} events: the chain now ends at event {run.position}.")
        db.session.remove()
        time.sleep(every)


@audit_cli.command("anchor")
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="The file to append the checkpoint to ('-' for standard output, e.g. to pipe to logger).",
)
def audit_anchor_command(output_path):
    """Verify the chain, and the checkpoints already in the file, then append a signed checkpoint of its head.

    Keep the file off the database server: it is what shows, later, that no event has been removed or rewritten.
    """
    from eha import audit

    run = audit.chain_pending()  # the checkpoint covers every event committed so far
    if run.problem:
        click.echo(f"Not linked: event {run.refused.seq} (id {run.refused.id}): {run.problem}.", err=True)
    to_stdout = output_path == "-"
    lines = _read_lines(output_path) if not to_stdout and os.path.exists(output_path) else []
    result = audit.check_anchors(lines)
    if not result.chain.ok:
        _report_chain(result.chain)
        click.echo("Nothing anchored.", err=True)
        sys.exit(1)
    if result.first_bad is not None:
        click.echo(
            f"{result.first_bad.describe(output_path)} is not on the chain: {result.first_bad.problem}. "
            "Nothing anchored.",
            err=True,
        )
        sys.exit(1)
    line = audit.anchor_line(result.chain)
    if to_stdout:
        click.echo(line)
        return
    descriptor = os.open(output_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(descriptor, "a", encoding="utf-8") as file:
        file.write(line + "\n")
        file.flush()
        os.fsync(file.fileno())
    click.echo(f"Anchored event {result.chain.checked} in {output_path}: {line}")


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


# --- flask definitions: a form definition version's text in another language (issue 18) ---

definitions_cli = AppGroup("definitions", help="Assessment form definitions.")


@definitions_cli.command("translation-template")
@click.argument("name")
@click.argument("version", type=int)
@click.option("--language", default="cy", show_default=True, help="The language the translator writes in.")
def translation_template_command(name, version, language):
    """Print a translation file for version VERSION of NAME with every text in English, to be overwritten."""
    from eha.definitions.store import get_stored_definition
    from eha.definitions.translations import TRANSLATION_LANGUAGES, template

    if language not in TRANSLATION_LANGUAGES:
        click.echo(f"The language must be one of {', '.join(TRANSLATION_LANGUAGES)}", err=True)
        sys.exit(2)
    try:
        definition = get_stored_definition(name, version)
    except LookupError:
        click.echo(f"There is no version {version} of {name}", err=True)
        sys.exit(1)
    click.echo(template(definition, language), nl=False)


@definitions_cli.command("add-translation")
@click.argument("file", type=click.File("rb"))
@click.option("--check", is_flag=True, help="Only check it: store nothing.")
def add_translation_command(file, check):
    """Check the translation in FILE against the version it names and store it (shown from then on)."""
    from eha.definitions.store import get_stored_definition
    from eha.definitions.translations import load_translation
    from eha.errors import Invalid
    from eha.i18n import in_english
    from eha.services import admin

    text = file.read(2 * 1024 * 1024 + 1)
    try:
        record = admin.translation_record(text)
        if check:
            try:
                load_translation(text, get_stored_definition(record.name, record.version))
            except ValueError as exc:
                raise Invalid(f"The translation has a problem: {exc}") from None
        else:
            admin.upload_translation(None, record, text)
    except Invalid as error:
        click.echo(in_english(error.message), err=True)  # the command line is English whatever a page last chose
        sys.exit(1)
    done = "is correct" if check else "stored"
    click.echo(f"Translation of {record.name} version {record.version} {done}")


# --- flask retention: what is due for disposal, and disposing of the approved batches (issue 19) ---

retention_cli = AppGroup("retention", help="Retention: review what is due for disposal, and dispose of it.")


@retention_cli.command("review")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Review as of this day (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Only list: do not put the due cases into a batch for approval.")
def retention_review_command(on, dry_run):
    """List the closed cases due for disposal (by reference) and the held ones; batch the due ones for approval."""
    from eha.services import retention

    today = on.date() if on else None
    found = retention.review(today)
    click.echo(f"Rule: {found.rule.words} ({found.rule.code})")
    click.echo(f"Due for disposal on {found.today.isoformat()}: {len(found.due)}")
    for item in found.due:
        click.echo(f"  {item.ref}  closed {item.closed_at:%Y-%m-%d}  due {item.due_on.isoformat()}")
    click.echo(f"On legal hold (never disposed of while held): {len(found.held)}")
    for item in found.held:
        click.echo(f"  {item.ref}  due {item.due_on.isoformat()}  held: {item.hold}")
    if dry_run:
        return
    batch = retention.create_batch(today=today)
    if batch is None:
        click.echo("No new cases to batch: those due are already waiting in a batch.")
    else:
        click.echo(f"Batch {batch.id} of {len(batch.items)} cases waits for a manager's approval at /retention")


@retention_cli.command("dispose")
def retention_dispose_command():
    """Dispose of every case in the batches a manager approved: one transaction per case, each audited."""
    from eha.services import retention

    def progress(ref, skipped):
        click.echo(f"  {ref}: {'not disposed of (' + skipped + ')' if skipped else 'disposed of'}")

    disposed, skipped = retention.dispose_approved(progress)
    click.echo(f"Disposed of {disposed} cases; {skipped} not disposed of.")


def register_commands(app):
    app.cli.add_command(retention_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(plans_cli)
    app.cli.add_command(definitions_cli)

    from eha.auth.sso_cli import sso_cli

    app.cli.add_command(sso_cli)

    from eha.notifications.cli import notifications_cli
    from eha.reports.cli import returns_cli

    app.cli.add_command(returns_cli)

    app.cli.add_command(notifications_cli)
