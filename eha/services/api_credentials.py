"""Issuing, finding and ending the API's credentials: personal access tokens, OAuth clients and their tokens.

Each secret is 32 random bytes shown once; the database keeps its SHA-256 only. A personal token is
``eha_pat_...``, a client's access token ``eha_cat_...``, a client secret ``eha_cs_...``: the prefix tells a
leaked secret's kind to whoever finds it (and to secret scanners). Every issue and revocation is an audit event
with ids and scope codes only.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from eha import audit
from eha.errors import Invalid, NotFound
from eha.extensions import db
from eha.models.api import ApiClient, ApiToken
from eha.models.base import utcnow
from eha.models.choices import ADMIN, API_SCOPES
from eha.models.users import User
from eha.services import webhooks
from eha.transaction import autocommit

PERSONAL_PREFIX = "eha_pat_"
CLIENT_TOKEN_PREFIX = "eha_cat_"  # noqa: S105 - a prefix, not a secret
CLIENT_SECRET_PREFIX = "eha_cs_"  # noqa: S105 - a prefix, not a secret
TOKEN_DAYS = (7, 30, 90, 365)
CLIENT_TOKEN_SECONDS = 3600
MAX_TOKENS_PER_USER = 50


def digest(secret):
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _new_secret(prefix):
    return prefix + secrets.token_urlsafe(32)


def clean_scopes(scopes):
    """The known scopes among ``scopes`` (a list or a space-separated string), in a stable order."""
    asked = scopes.split() if isinstance(scopes, str) else list(scopes or ())
    return [scope for scope in API_SCOPES if scope in asked]


# --- personal access tokens ---


@autocommit
def create_personal_token(user, *, name, scopes, days):
    """A new token for ``user``; returns ``(token row, the secret to show once)``."""
    scopes = clean_scopes(scopes)
    if not scopes:
        raise Invalid(_l("Select what the token may do"), field="scopes")
    if days not in TOKEN_DAYS:
        raise Invalid(_l("Select when the token expires"), field="days")
    # Two tokens made at once by one user queue on the user's row (FOR NO KEY UPDATE), so the name check and
    # the count hold: the second sees the first's token and is told its name is taken.
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update(key_share=True))
    live_tokens = sa.and_(ApiToken.user_id == user.id, ApiToken.kind == "personal", _live())
    if db.session.scalar(sa.select(ApiToken.id).where(live_tokens, ApiToken.name == name).limit(1)) is not None:
        raise Invalid(_l("You have a live token with this name: give this one another name"), field="name")
    live = db.session.scalar(sa.select(sa.func.count()).where(live_tokens))
    if live >= MAX_TOKENS_PER_USER:
        raise Invalid(_l("You have %(count)s tokens: revoke one first", count=MAX_TOKENS_PER_USER), field="name")
    secret = _new_secret(PERSONAL_PREFIX)
    now = utcnow()
    token = ApiToken(
        kind="personal",
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:12],
        scopes=" ".join(scopes),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token_created", user=user, detail={"token": token.id, "scopes": scopes, "days": days})
    return token, secret


def _live(now=None):
    return sa.and_(ApiToken.revoked_at.is_(None), ApiToken.expires_at > (now or utcnow()))


def personal_tokens(user):
    """The user's personal tokens, newest first (revoked and expired ones too, marked so)."""
    return db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.kind == "personal")
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        .limit(100)
    ).all()


@autocommit
def revoke_personal_token(user, token_id):
    """End one of ``user``'s own tokens (anyone else's is not found)."""
    token = db.session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.kind == "personal")
        .with_for_update()
    )
    if token is None:
        raise NotFound(_l("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token_revoked", user=user, detail={"token": token.id})
    return token


# --- OAuth 2 clients (client credentials) ---


def client_users():
    """The users a client may act as: active staff (an administrator sees no case content)."""
    return db.session.scalars(
        sa.select(User).where(User.active.is_(True), User.role != ADMIN).order_by(User.name).limit(1000)
    ).all()


@autocommit
def create_client(admin, *, name, user_id, scopes):
    """A new OAuth client acting as ``user_id``; returns ``(client row, the secret to show once)``."""
    scopes = clean_scopes(scopes)
    if not scopes:
        raise Invalid(_l("Select what the system may do"), field="scopes")
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.role == ADMIN:
        raise Invalid(_l("Select the eha user the system acts as"), field="user_id")
    secret = _new_secret(CLIENT_SECRET_PREFIX)
    client = ApiClient(
        client_id="eha-" + secrets.token_hex(12),
        name=name,
        secret_hash=digest(secret),
        user_id=user.id,
        scopes=" ".join(scopes),
        created_by_id=admin.id,
        created_at=utcnow(),
    )
    db.session.add(client)
    db.session.flush()
    audit.record("admin_change", user=admin, detail={"api_client_created": client.id, "acts_as": user.id})
    return client, secret


def clients():
    return db.session.scalars(sa.select(ApiClient).order_by(ApiClient.created_at.desc(), ApiClient.id.desc())).all()


@autocommit
def revoke_client(admin, client_id):
    """End a client and every token it was given."""
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.id == client_id).with_for_update())
    if client is None:
        raise NotFound(_l("There is no such client."))
    if client.revoked_at is None:
        now = utcnow()
        client.revoked_at = now
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.client_id == client.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        audit.record("admin_change", user=admin, detail={"api_client_revoked": client.id})
        webhooks.end_for_client(admin, client.id)
    return client


def _client_by_credentials(client_id, client_secret):
    if not (isinstance(client_id, str) and isinstance(client_secret, str)) or len(client_id) > 40:
        return None
    # FOR SHARE: a revocation at the same moment waits for this token to be issued (and then revokes it too).
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.client_id == client_id).with_for_update(read=True))
    expected = client.secret_hash if client is not None else digest("no such client")
    matches = hmac.compare_digest(expected, digest(client_secret[:200]))
    if client is None or not matches or client.revoked_at is not None or not client.user.is_active:
        return None
    return client


@autocommit
def issue_client_token(client_id, client_secret, scope=None):
    """The token endpoint's work: ``(token row, secret)``, or None when the client's credentials are refused
    (recorded). ``scope`` narrows the client's scopes; asking for one it lacks is refused (``Invalid``)."""
    client = _client_by_credentials(client_id, client_secret)
    if client is None:
        audit.record("api_refused", outcome="refused", detail={"reason": "invalid_client"})
        return None
    scopes = client.scope_list if not scope else clean_scopes(scope)
    if not scopes or (scope and len(scopes) != len(scope.split())) or not set(scopes) <= set(client.scope_list):
        raise Invalid("invalid_scope")
    secret = _new_secret(CLIENT_TOKEN_PREFIX)
    now = utcnow()
    token = ApiToken(
        kind="client",
        user_id=client.user_id,
        client_id=client.id,
        name=client.name,
        token_hash=digest(secret),
        prefix=secret[:12],
        scopes=" ".join(scopes),
        created_at=now,
        expires_at=now + timedelta(seconds=CLIENT_TOKEN_SECONDS),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token_created", user=client.user, detail={"token": token.id, "client": client.id, "scopes": scopes}
    )
    return token, secret


# --- reading a bearer token ---


def find_live_token(secret, now=None):
    """The live token whose secret is ``secret`` (its user active, its client not revoked), or None."""
    if (
        not isinstance(secret, str)
        or not secret.startswith((PERSONAL_PREFIX, CLIENT_TOKEN_PREFIX))
        or len(secret) > 100
    ):
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or not token.is_live(now) or not token.user.is_active:
        return None
    if token.client is not None and token.client.revoked_at is not None:
        return None
    return token
