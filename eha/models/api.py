"""The API's credentials and subscriptions: personal access tokens, OAuth clients, webhook subscriptions.

A token or client secret is shown once; only its SHA-256 is stored (each is 256 random bits, so a fast hash is
enough: there is nothing to guess). A token acts as its user and sees only what that user may see. An OAuth
client (another system) acts as the eha user an administrator chose for it; the tokens it gets from the token
endpoint are ``ApiToken`` rows of kind ``client``.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eha.extensions import db
from eha.models.base import utcnow
from eha.models.choices import API_SCOPES, API_TOKEN_KINDS, check_in


class ApiClient(db.Model):
    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    # The eha user the system acts as: it sees what that user sees.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    scopes: Mapped[str] = mapped_column(sa.String(200))  # space-separated, as OAuth 2 writes them
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user = relationship("User", foreign_keys=[user_id])

    @property
    def scope_list(self):
        return self.scopes.split()

    @property
    def scope_labels(self):
        return [API_SCOPES.get(scope, scope) for scope in self.scope_list]


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (sa.CheckConstraint(check_in("kind", API_TOKEN_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_clients.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(20))  # the first characters, to tell tokens apart
    scopes: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user = relationship("User", foreign_keys=[user_id])
    client = relationship(ApiClient)

    @property
    def scope_list(self):
        return self.scopes.split()

    @property
    def scope_labels(self):
        return [API_SCOPES.get(scope, scope) for scope in self.scope_list]

    def is_live(self, now=None):
        return self.revoked_at is None and self.expires_at > (now or utcnow())


class WebhookSubscription(db.Model):
    """A system's address for case state changes. Deliveries go through the notifications outbox (kind
    ``webhook``), signed with ``secret`` (HMAC-SHA256), only for cases the owner may see when the change
    happens."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_clients.id"), index=True)
    url: Mapped[str] = mapped_column(sa.String(320))
    # Kept to sign each delivery (the receiver holds the same secret); shown once, when the subscription is made.
    secret: Mapped[str] = mapped_column(sa.String(64))
    events: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    owner = relationship("User")
    client = relationship(ApiClient)
