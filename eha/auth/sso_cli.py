"""``flask sso``: the administrators' rules that let single sign-on create eha accounts, and the providers."""

import re

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from eha import audit
from eha.auth import sso
from eha.extensions import db
from eha.models.choices import ROLES
from eha.models.users import Agency, SsoAccountRule

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


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
    """Let a first sign-in through PROVIDER by someone at DOMAIN create their account (ROLE, AGENCY)."""
    domain = domain.strip().lower()
    if sso.provider(provider_name) is None:
        raise click.UsageError(f"no provider named {provider_name!r} is configured")
    if not DOMAIN.match(domain):
        raise click.UsageError("--domain must be an email domain such as northshire.gov.uk")
    agency = db.session.scalar(sa.select(Agency).where(Agency.name == agency_name, Agency.active.is_(True)))
    if agency is None:
        raise click.UsageError(f"no active agency named {agency_name!r}")
    existing = db.session.scalar(
        sa.select(SsoAccountRule).where(SsoAccountRule.provider == provider_name, SsoAccountRule.email_domain == domain)
    )
    if existing is not None:
        raise click.UsageError(f"a rule for {domain} through {provider_name} already exists (number {existing.id})")
    rule = SsoAccountRule(provider=provider_name, email_domain=domain, role=role, agency=agency)
    db.session.add(rule)
    db.session.flush()
    audit.record("admin_change", detail={"change": "sso account rule added", "rule_id": rule.id, "role": role})
    db.session.commit()
    click.echo(f"rule {rule.id}: {domain} through {provider_name} creates {role} accounts in {agency.name}")


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
    rule = db.session.get(SsoAccountRule, rule_id)
    if rule is None:
        raise click.UsageError(f"no rule {rule_id}")
    db.session.delete(rule)
    audit.record("admin_change", detail={"change": "sso account rule removed", "rule_id": rule_id})
    db.session.commit()
    click.echo(f"rule {rule_id} removed")
