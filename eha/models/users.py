"""Agencies, users, their sign-in sessions, and failed sign-ins counted for keys that are not accounts."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eha.extensions import db
from eha.models.base import TimestampMixin, utcnow
from eha.models.choices import (
    ADMIN,
    AGENCY_KINDS,
    MANAGER,
    MFA_RESET_STATUSES,
    PASSWORD_LINK_PURPOSES,
    PRACTITIONER,
    ROLES,
    check_in,
    role_label,
)


class Agency(TimestampMixin, db.Model):
    __tablename__ = "agencies"
    __table_args__ = (sa.CheckConstraint(check_in("kind", AGENCY_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    # False: the agency's staff sign in only through single sign-on (eha.auth.sso), never with an eha password.
    password_sign_in: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())

    users: Mapped[list["User"]] = relationship(back_populates="agency")

    @property
    def kind_label(self):
        return AGENCY_KINDS.get(self.kind, self.kind)

    def __repr__(self):
        return f"<Agency {self.name}>"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(check_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint holds regardless of case.
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20), default=PRACTITIONER)
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    # The secrets are read only where they are checked (signing in, two-factor): every request loads its user with
    # the session, and every case its starter and lead, none of which needs them (issue 14).
    password_hash: Mapped[str] = mapped_column(sa.String(255), deferred=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    failed_sign_ins: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Two-factor (TOTP): the shared secret, the last time-step used (codes work once).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64), deferred=True)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The interface language the user chose (eha.i18n.LANGUAGES code); None: not chosen, English.
    language: Mapped[str | None] = mapped_column(sa.String(8))

    agency: Mapped[Agency] = relationship(back_populates="users", lazy="joined")
    sessions: Mapped[list["UserSession"]] = relationship(back_populates="user")

    def get_id(self):
        # Flask-Login keeps this in the cookie: the server-side session token, never the user id.
        return getattr(self, "session_token", None)

    @staticmethod
    def normalise_email(email):
        return (email or "").strip().lower()

    @property
    def is_active(self):
        return bool(self.active)

    @property
    def is_manager(self):
        return self.role == MANAGER

    @property
    def is_admin(self):
        return self.role == ADMIN

    @property
    def is_practitioner(self):
        return self.role == PRACTITIONER

    @property
    def role_label(self):
        return role_label(self.role)

    def is_locked(self, now=None):
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def __repr__(self):
        return f"<User {self.email}>"


class UserSession(db.Model):
    """One signed-in browser session. The cookie holds only ``token``; ending the row ends the session."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # False while the second factor is still to be given: such a session reaches nothing.
    mfa_passed: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    mfa_failures: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    # Signed in through single sign-on: the provider's name and its ID token, the hint that signing out of eha
    # sends to the provider's end-session endpoint (RP-initiated logout).
    sso_provider: Mapped[str | None] = mapped_column(sa.String(60))
    id_token: Mapped[str | None] = mapped_column(sa.Text, deferred=True)  # a signed JWT: read only to sign out

    user: Mapped[User] = relationship(back_populates="sessions", lazy="joined")


class UserIdentity(db.Model):
    """A user's account at an OpenID provider: the stable issuer and subject (``sub``, or Entra ID's ``oid``).

    Sign-in matches on these alone; the email address is used only once, to link a pre-created eha user on their
    first single sign-on. One identity per user per issuer, so a second account at the same provider cannot take
    over an already linked user by having the same email address.
    """

    __tablename__ = "user_identities"
    __table_args__ = (
        sa.UniqueConstraint("issuer", "subject", name="uq_user_identities_issuer"),
        sa.UniqueConstraint("user_id", "issuer", name="uq_user_identities_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    provider: Mapped[str] = mapped_column(sa.String(60))
    issuer: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class SsoAccountRule(db.Model):
    """An administrator's permission for single sign-on to create eha accounts: for people at ``email_domain``
    signing in through ``provider``, with this role in this agency. Without a rule no sign-in creates an account."""

    __tablename__ = "sso_account_rules"
    __table_args__ = (
        sa.CheckConstraint(check_in("role", ROLES), name="role"),
        sa.UniqueConstraint("provider", "email_domain", name="uq_sso_account_rules_provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(60))
    email_domain: Mapped[str] = mapped_column(sa.String(253))
    role: Mapped[str] = mapped_column(sa.String(20))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    agency: Mapped[Agency] = relationship(lazy="joined")

    @property
    def role_label(self):
        return role_label(self.role)


class SignInThrottle(db.Model):
    """Failed sign-ins counted for something that is not an account, like ``User.failed_sign_ins``.

    ``key`` is a keyed hash (never the raw value) of either an email address that has no account, so that
    lockout answers the same for addresses with and without one, or a trusted browser's device cookie, which
    keeps its own count so that an attacker locking the account does not lock its owner out of that browser.
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failed_sign_ins: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class PasswordLink(db.Model):
    """A single-use link to choose a password, emailed to the user. Only the SHA-256 of its token is stored."""

    __tablename__ = "password_links"
    __table_args__ = (sa.CheckConstraint(check_in("purpose", PASSWORD_LINK_PURPOSES), name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    purpose: Mapped[str] = mapped_column(sa.String(20), default="reset")
    # Who asked: an administrator, or None when the user asked from the sign-in page.
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    # Set when the link is used, or when another link of the same user is used first.
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class MfaResetRequest(db.Model):
    """An administrator's request to clear someone's second factor, waiting for a second person's approval."""

    __tablename__ = "mfa_reset_requests"
    __table_args__ = (sa.CheckConstraint(check_in("status", MFA_RESET_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")

    @property
    def status_label(self):
        return MFA_RESET_STATUSES.get(self.status, self.status)
