"""Single sign-on with OpenID Connect (Authlib): several providers, such as a council's Microsoft Entra ID tenant
and a health partner's.

The authorisation code flow with PKCE (S256); Authlib checks the state, the nonce and the ID token (signature by
the provider's published keys, issuer, audience, expiry). Who signed in is the issuer and the subject (``sub``, or
``oid`` for Entra ID, set by ``subject_claim``), matched to ``UserIdentity`` rows. A user's email address is
used once, on their first single sign-on, to link the eha user an administrator created for them; after that
only the subject counts. No sign-in creates an account unless an administrator has made an ``SsoAccountRule``
for that provider and email domain (``flask sso allow-accounts``). When the provider says a second factor was
used (``amr`` holds ``mfa``) eha does not ask for its own; otherwise it asks as after a password.

``EHA_OIDC_PROVIDERS`` is a JSON list (or the path of a file holding one) of providers::

    [{"name": "northshire", "label": "Northshire County Council account",
      "issuer": "https://login.microsoftonline.com/<tenant id>/v2.0",
      "client_id": "...", "client_secret_env": "EHA_OIDC_NORTHSHIRE_SECRET",
      "subject_claim": "oid", "logout": true}]

``name`` goes in the addresses (/sign-in/sso/<name> and its /callback); ``issuer`` must be the provider's exact
issuer, one tenant's (Entra's multi-tenant ``common``/``organizations`` endpoints are refused at start:
configure one provider per tenant); its metadata is read from ``<issuer>/.well-known/openid-configuration``
unless ``metadata_url`` says otherwise; the secret is ``client_secret`` or, better, read from the environment
variable ``client_secret_env`` names. ``logout`` (true) signs the user out of the provider too when they sign
out of eha (RP-initiated logout), when the provider has an end-session endpoint.
"""

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import current_app, session, url_for
from flask_babel import gettext
from joserfc.errors import JoseError

from eha import audit
from eha.auth.passwords import hash_password
from eha.extensions import db
from eha.i18n import N_
from eha.models.base import utcnow
from eha.models.users import SsoAccountRule, User, UserIdentity

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
# Entra ID's multi-tenant endpoints: their metadata's issuer holds "{tenantid}", which no token's issuer matches.
MULTI_TENANT = re.compile(r"\{tenantid\}|/(common|organizations|consumers)(/|$)", re.IGNORECASE)
NEXT_KEY = "eha_sso_next"
# What a refused single sign-on tells the person (marked ``N_``: put into the page's language when refused).
FAILED = N_(
    "Signing in with your %(label)s did not work. Try again, or contact your administrator if it keeps happening"
)
CANCELLED = N_("You did not finish signing in with your %(label)s. Try again")
NO_ACCOUNT = N_(
    "You do not have an eha account yet. Ask your administrator to add you, using the email address of your %(label)s"
)
DISABLED = N_("Your eha account has been disabled. Contact your administrator")
TAKEN = N_(
    "Your eha account is already linked to a different %(label)s. Sign in with that one, or ask your administrator"
)


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    metadata_url: str
    scope: str = "openid email profile"
    subject_claim: str = "sub"
    email_claims: tuple = ("email", "preferred_username", "upn")
    logout: bool = True


def _provider(entry):
    missing = [key for key in ("name", "issuer", "client_id") if not entry.get(key)]
    if missing:
        raise RuntimeError(f"EHA_OIDC_PROVIDERS: a provider has no {', '.join(missing)}")
    name = entry["name"]
    if not NAME.match(name):
        raise RuntimeError(f"EHA_OIDC_PROVIDERS: {name!r} must be lower-case letters, digits and hyphens")
    secret = entry.get("client_secret") or os.environ.get(entry.get("client_secret_env") or "", "")
    if not secret:
        raise RuntimeError(f"EHA_OIDC_PROVIDERS: provider {name} has no client secret")
    issuer = entry["issuer"].rstrip("/")
    if MULTI_TENANT.search(issuer):
        raise RuntimeError(
            f"EHA_OIDC_PROVIDERS: provider {name}'s issuer is a multi-tenant one: eha's providers are single-tenant, "
            "so give the tenant's own issuer (https://login.microsoftonline.com/<tenant id>/v2.0), one provider each"
        )
    return Provider(
        name=name,
        label=entry.get("label") or f"{name} account",
        issuer=issuer,
        client_id=entry["client_id"],
        client_secret=secret,
        metadata_url=entry.get("metadata_url") or f"{issuer}/.well-known/openid-configuration",
        scope=entry.get("scope") or Provider.scope,
        subject_claim=entry.get("subject_claim") or "sub",
        email_claims=tuple(entry.get("email_claims") or Provider.email_claims),
        logout=bool(entry.get("logout", True)),
    )


def load_providers(value):
    """The providers ``EHA_OIDC_PROVIDERS`` describes (JSON text, a list, or a file's path); () when unset."""
    if not value:
        return ()
    if isinstance(value, str):
        text = value if value.lstrip().startswith("[") else Path(value).read_text(encoding="utf-8")
        value = json.loads(text)
    providers = tuple(_provider(entry) for entry in value)
    names = [p.name for p in providers]
    if len(set(names)) != len(names):
        raise RuntimeError("EHA_OIDC_PROVIDERS: two providers have the same name")
    return providers


class Registry:
    def __init__(self, app, providers):
        self.providers = providers
        self.by_name = {p.name: p for p in providers}
        self.oauth = OAuth(app)
        for p in providers:
            self.oauth.register(
                p.name,
                client_id=p.client_id,
                client_secret=p.client_secret,
                server_metadata_url=p.metadata_url,
                client_kwargs={"scope": p.scope, "code_challenge_method": "S256", "timeout": 10},
            )


def init_app(app):
    registry = Registry(app, load_providers(app.config.get("EHA_OIDC_PROVIDERS")))
    app.extensions["eha_sso"] = registry
    app.jinja_env.globals["sso_providers"] = registry.providers


def _registry():
    return current_app.extensions["eha_sso"]


def providers():
    return _registry().providers


def provider(name):
    return _registry().by_name.get(name)


def _client(p):
    return _registry().oauth.create_client(p.name)


def _external(endpoint, **values):
    """An address of this service for the provider: from EHA_BASE_URL when set, never from the Host header."""
    base = current_app.config.get("EHA_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def begin(p, next_url):
    """Send the browser to the provider (state, nonce and PKCE verifier kept in this browser's session)."""
    session[NEXT_KEY] = next_url
    return _client(p).authorize_redirect(_external("sso.callback", provider=p.name))


class Refused(Exception):
    def __init__(self, message, reason):
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass
class Outcome:
    user: User
    mfa: bool
    id_token: str
    next_url: str | None


def finish(p, error=None):
    """The provider sent the browser back: check everything, find the user. Commits; raises ``Refused``."""
    next_url = session.pop(NEXT_KEY, None)
    if error:
        _refuse(p, CANCELLED, "provider_error")
    try:
        token = _client(p).authorize_access_token(claims_options=_claims_options(p))
    except (AuthlibBaseError, JoseError, requests.RequestException, KeyError, ValueError, TypeError) as error:
        _refuse(p, FAILED, "invalid_response", check=_failed_check(error))
    claims = token.get("userinfo")
    if not claims:
        _refuse(p, FAILED, "no_id_token")
    if claims.get("iss") != p.issuer:
        # Authlib checks the token against the metadata's issuer; this checks the metadata against the settings.
        _refuse(p, FAILED, "wrong_issuer")
    user = _match_user(p, claims)
    amr = claims.get("amr")
    db.session.commit()
    return Outcome(
        user=user, mfa=isinstance(amr, list) and "mfa" in amr, id_token=token.get("id_token"), next_url=next_url
    )


def _claims_options(p):
    """What the ID token must say: issued by the configured issuer, for this client. (Authlib's defaults check
    the issuer only against the provider's metadata, and the audience only through ``azp``.)"""
    return {
        "iss": {"essential": True, "values": [p.issuer]},
        "aud": {"essential": True, "values": [p.client_id]},
    }


def _failed_check(error):
    """Which check refused the provider's answer, as a code for the audit trail: ``bad_signature``,
    ``invalid_claim:aud`` (or ``iss``, ``nonce``...), ``expired_token``, ``mismatching_state`` (a forged or
    replayed state), ``invalid_key_id``; the exception's class name for anything else."""
    code = getattr(error, "error", None)
    if not isinstance(code, str) or not code:
        return type(error).__name__
    claim = getattr(error, "claim", None) or getattr(error, "claim_name", None)
    return f"{code}:{claim}" if isinstance(claim, str) and code != "expired_token" else code


def _refuse(p, message, reason, user=None, email=None, check=None):
    detail = {"reason": reason, "provider": p.name, "method": "sso"}
    if check:
        detail["check"] = check[:80]
    audit.record("sign_in_failed", outcome="failed", user=user, email=email, detail=detail)
    db.session.commit()
    raise Refused(gettext(message, label=p.label), reason)


def _claimed_email(p, claims):
    if claims.get("email_verified") is False:
        return None
    for claim in p.email_claims:
        value = claims.get(claim)
        if isinstance(value, str) and "@" in value:
            return User.normalise_email(value)[:320]
    return None


def _match_user(p, claims):
    subject = claims.get(p.subject_claim)
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        _refuse(p, FAILED, "no_subject")
    identity = db.session.scalar(
        sa.select(UserIdentity).where(UserIdentity.issuer == claims["iss"], UserIdentity.subject == subject)
    )
    if identity is not None:
        identity.last_used_at = utcnow()
        user = identity.user
    else:
        user = _first_sign_in(p, claims, subject)
    if not user.is_active:
        _refuse(p, DISABLED, "disabled", user=user)
    return user


def _first_sign_in(p, claims, subject):
    email = _claimed_email(p, claims)
    if email is None:
        _refuse(p, NO_ACCOUNT, "no_email")
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = _account_from_rule(p, claims, email)
    elif db.session.scalar(
        sa.select(UserIdentity.id).where(UserIdentity.user_id == user.id, UserIdentity.issuer == claims["iss"])
    ):
        _refuse(p, TAKEN, "linked_to_another_subject", user=user)
    else:
        audit.record("sso_linked", user=user, detail={"provider": p.name})
    db.session.add(UserIdentity(user=user, provider=p.name, issuer=claims["iss"], subject=subject))
    db.session.flush()
    return user


def _account_from_rule(p, claims, email):
    domain = email.rsplit("@", 1)[1]
    rule = db.session.scalar(
        sa.select(SsoAccountRule).where(SsoAccountRule.provider == p.name, SsoAccountRule.email_domain == domain)
    )
    if rule is None or not rule.agency.active:
        _refuse(p, NO_ACCOUNT, "no_account", email=email)
    name = claims.get("name") if isinstance(claims.get("name"), str) and claims["name"].strip() else email
    user = User(
        email=email,
        name=name.strip()[:200],
        role=rule.role,
        agency=rule.agency,
        # A password nobody knows: this account signs in through its provider.
        password_hash=hash_password(os.urandom(32).hex()),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("sso_account_created", user=user, detail={"provider": p.name, "rule_id": rule.id, "role": rule.role})
    return user


def logout_url(user_session):
    """Where to send the browser to sign out of the provider too, or None (not SSO, off, or not offered)."""
    p = provider(user_session.sso_provider or "")
    if p is None or not p.logout or not user_session.id_token:
        return None
    try:
        result = _client(p).create_logout_url(
            post_logout_redirect_uri=_external("auth.sign_in", signed_out="1"),
            id_token_hint=user_session.id_token,
            client_id=p.client_id,
        )
    except (RuntimeError, requests.RequestException, ValueError):
        return None
    return result["url"]
