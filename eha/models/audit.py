"""The audit trail: append-only (database triggers refuse UPDATE and DELETE) and chained by HMAC-SHA256.

The head may only move forward one event at a time (triggers again); ``eha/audit.py`` writes and verifies.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eha.extensions import db
from eha.models.base import utcnow
from eha.models.choices import AUDIT_OUTCOMES, check_in

# The workflow's transition audit actions (``eha.workflow.table``'s ``audit`` names) that succeeded.
TRANSITION_ACTIONS = ("closure_rejected", "closure_requested", "transition")
TRANSITIONS_WHERE = "action IN ('closure_rejected', 'closure_requested', 'transition') AND outcome = 'success'"


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.CheckConstraint(check_in("outcome", AUDIT_OUTCOMES), name="outcome"),
        sa.Index("ix_audit_events_assessment_seq", "assessment_id", "seq"),  # a case's history in chain order
        # The time-in-state report reads every case's workflow moves in chain order: this index holds them (and
        # what the report reads of each) so it scans them without touching the rest of the trail (migration 0021).
        sa.Index(
            "ix_audit_events_transitions",
            "assessment_id",
            "seq",
            postgresql_include=["occurred_at", "detail"],
            postgresql_where=sa.text(TRANSITIONS_WHERE),
            sqlite_where=sa.text(TRANSITIONS_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the hash chain; verification walks events in this order.
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)
    # Who, copied at the time: a later change of name, role or agency does not rewrite history.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    user_email: Mapped[str | None] = mapped_column(sa.String(320))
    user_name: Mapped[str | None] = mapped_column(sa.String(200))
    user_role: Mapped[str | None] = mapped_column(sa.String(20))
    agency_name: Mapped[str | None] = mapped_column(sa.String(200))
    assessment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    case_ref: Mapped[str | None] = mapped_column(sa.String(20))
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(10), default="success")
    detail: Mapped[dict | None] = mapped_column(sa.JSON)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    # The request that wrote it (X-Request-ID, also in the JSON logs), so a log line and an event can be matched.
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    # Which key signed ``hash`` (derived from the key, so it names it without revealing it): keys can be rotated.
    key_id: Mapped[str] = mapped_column(sa.String(16))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditChainHead(db.Model):
    """The end of the hash chain. Writers lock it first, so the chain never forks; the database lets it move
    only to the next event (no DELETE, no going back, no skipping)."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
