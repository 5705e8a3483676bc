"""The audit trail: append-only (database triggers refuse UPDATE and DELETE) and chained by HMAC-SHA256.

An event is written on its own, signed but unlinked, in one INSERT that locks nothing shared; the chainer then
appends its link (``AuditLink``, append-only too) and moves the head, which may only move forward onto a link that
exists (triggers again). ``eha/audit.py`` writes, chains and verifies; docs/operations/audit.md.
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
        sa.Index("ix_audit_events_assessment_seq", "assessment_id", "seq"),  # a case's history in order
        # Events from before the chainer carry their own link (prev_hash set): where they end, without a scan.
        sa.Index(
            "ix_audit_events_self_linked",
            "seq",
            postgresql_where=sa.text("prev_hash <> ''"),
            sqlite_where=sa.text("prev_hash <> ''"),
        ),
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
    # ``seq`` is computed by the INSERT (a sequence on PostgreSQL): fetch it with RETURNING, not a second query.
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # The order events were written in (a PostgreSQL sequence, so writers need no lock; gaps are rolled-back
    # transactions). Their place in the chain is their link's position (events before the chainer: this).
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
    # Empty for events linked by the chainer (their link is in audit_links); older events' own link.
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    # Random, in the signed content, so two identical events never share a hash (which is unique: a copy of an
    # event is refused). None on events from before the chainer.
    nonce: Mapped[str | None] = mapped_column(sa.String(32))
    # Which key signed ``hash`` (derived from the key, so it names it without revealing it): keys can be rotated.
    key_id: Mapped[str] = mapped_column(sa.String(16))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditLink(db.Model):
    """An event's place in the chain: its position, the previous link's hash and an HMAC over both and the
    event's own seq and hash. Appended by the chainer alone (it holds a lock no request waits for)."""

    __tablename__ = "audit_links"

    position: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_events.id"), unique=True)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    key_id: Mapped[str] = mapped_column(sa.String(16))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditChainHead(db.Model):
    """The end of the hash chain: the last link's position (``seq``) and hash. Only the chainer moves it; the
    database lets it move only forward onto a link that exists (no DELETE, no going back)."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
