"""``flask sso``: the administrators' rules that let single sign-on create eha accounts, and the providers."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from eha.errors import Invalid, NotFound
from eha.extensions import db
from eha.i18n import in_english
from eha.models.choices import ROLES
from eha.models.users import Agency, SsoAccountRule
from eha.services import admin as service


@click.group("sso")
def sso_cli():
    """Single sign-on: providers and the rules for creating accounts."""


@sso_cli.command("providers")
@with_appcontext
def providers_command():
    """List the configured OpenID providers (EHA_OIDC_PROVIDERS)."""
    from flask import current_app

    for p in current_app.extensions["eha_sso"].providers:
        click.echo(f"{p.name}\t{p.issuer}\tsubject={p.subject_claim}\tlogout={'yes' if p.logout else 'no'}\t{p.label}")


@sso_cli.command("allow-accounts")
@click.option("--provider", "provider_name", required=True, help="The provider's name in EHA_OIDC_PROVIDERS")
@click.option("--domain", required=True, help="Email domain, such as northshire.gov.uk")
@click.option("--role", type=click.Choice(sorted(ROLES)), required=True)
@click.option("--agency", "agency_name", required=True, help="The agency new accounts join")
@with_appcontext
def allow_accounts_command(provider_name, domain, role, agency_name):
    """Let a first sign-in through PROVIDER by someone at DOMAIN create their account (ROLE, AGENCY).

    The same as the page /admin/single-sign-on."""
    agency = db.session.scalar(sa.select(Agency).where(Agency.name == agency_name))
    try:
        rule = service.add_sso_rule(None, provider=provider_name, email_domain=domain, role=role, agency=agency)
    except Invalid as error:
        raise click.UsageError(in_english(error.message)) from None  # the command line is English
    click.echo(f"rule {rule.id}: {rule.email_domain} through {provider_name} creates {role} accounts in {agency.name}")


@sso_cli.command("rules")
@with_appcontext
def rules_command():
    """List the rules that let single sign-on create accounts."""
    for rule in db.session.scalars(sa.select(SsoAccountRule).order_by(SsoAccountRule.id)):
        click.echo(f"{rule.id}\t{rule.provider}\t{rule.email_domain}\t{rule.role}\t{rule.agency.name}")


@sso_cli.command("remove-rule")
@click.argument("rule_id", type=int)
@with_appcontext
def remove_rule_command(rule_id):
    """Stop single sign-on creating accounts under rule RULE_ID (accounts already made stay)."""
    try:
        service.remove_sso_rule(rule_id)
    except NotFound:
        raise click.UsageError(f"no rule {rule_id}") from None
    click.echo(f"rule {rule_id} removed")
