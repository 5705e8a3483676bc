"""``flask plans``: check a printed plan's code from the server (an operator: every case is visible)."""

import sys

import click
from flask.cli import AppGroup

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
