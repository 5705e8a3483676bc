"""The notifications outbox and who wants which digest.

A ``Notification`` row is written in the same transaction as the change that causes it, so a rolled-back change
sends nothing and a committed one is never lost; the worker (``eha.notifications.worker``) sends it. ``key`` makes
each message once per event and recipient. Bodies hold a case reference, what is due and a link, never names.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eha.extensions import db
from eha.models.base import utcnow
from eha.models.choices import NOTIFICATION_KINDS, NOTIFICATION_STATUSES, check_in


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint(check_in("kind", NOTIFICATION_KINDS), name="kind"),
        sa.CheckConstraint(check_in("status", NOTIFICATION_STATUSES), name="status"),
        sa.Index("ix_notifications_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One message per event and recipient: "invitation:12:v1:user:5", "daily_digest:2026-12-01:user:5".
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    assessment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    case_ref: Mapped[str | None] = mapped_column(sa.String(20))
    recipient_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    recipient_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_people.id"))
    # A webhook delivery (kind "webhook"): ``address`` is the subscription's URL and ``body`` the JSON payload.
    webhook_id: Mapped[int | None] = mapped_column(sa.ForeignKey("webhook_subscriptions.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    # An iCalendar object (text/calendar) sent with the email: METHOD:REQUEST or CANCEL.
    calendar: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False, index=True)

    recipient_user = relationship("User")

    @property
    def kind_label(self):
        return NOTIFICATION_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self):
        return NOTIFICATION_STATUSES.get(self.status, self.status)


class NotificationPreference(db.Model):
    """The digests one user chose. No row: the council's defaults (``eha.notifications.settings``)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    daily_digest: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    weekly_digest: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class NotificationSettings(db.Model):
    """The council's digest defaults and sender details, set by an administrator. One row at most (``id`` 1); no
    row: the config values (``EHA_DIGEST_*_DEFAULT``, ``MAIL_FROM``). Read them through
    ``eha.notifications.settings.current``."""

    __tablename__ = "notification_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    daily_digest_default: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    weekly_digest_default: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    sender_name: Mapped[str | None] = mapped_column(sa.String(100))
    sender_email: Mapped[str] = mapped_column(sa.String(320), nullable=False)
    reply_to: Mapped[str | None] = mapped_column(sa.String(320))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False)
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}
