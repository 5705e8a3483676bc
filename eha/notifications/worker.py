"""Sending what the outbox holds: claim due rows, send each, record what happened.

A claim sets rows ``sending`` with ``claimed_at`` and commits before anything is sent, so two workers never take
the same row: on PostgreSQL the claim is ``SELECT ... FOR UPDATE SKIP LOCKED`` (a second worker skips the rows
the first is claiming, rather than waiting for them); on SQLite it is one conditional ``UPDATE ... WHERE
status = 'queued' ... RETURNING``, atomic because SQLite has one writer at a time. Each result is committed as
soon as it is known, so a worker killed mid-batch leaves only the message it was sending in doubt: that row stays
``sending`` until its lease (``EHA_NOTIFICATIONS_LEASE_SECONDS``) runs out, then it is claimed and sent again,
once. A failure puts the row back in the queue with exponential backoff and the reason; after
``EHA_NOTIFICATIONS_MAX_ATTEMPTS`` it is ``failed``.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from eha.extensions import db
from eha.models.base import utcnow
from eha.models.notifications import Notification
from eha.notifications.channels import ChannelError, open_channel
from eha.notifications.outbox import ERROR_MAX
from eha.services.webhooks import WebhookChannel

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self):
        return self.sent + self.retrying + self.failed

    def add(self, other):
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed


def _lease():
    return timedelta(seconds=current_app.config["EHA_NOTIFICATIONS_LEASE_SECONDS"])


def _due(now):
    """Queued rows whose time has come, and rows left ``sending`` past their lease (their worker died)."""
    return sa.or_(
        sa.and_(Notification.status == "queued", Notification.next_attempt_at <= now),
        sa.and_(Notification.status == "sending", Notification.claimed_at < now - _lease()),
    )


def _claimed_values(now):
    return {"status": "sending", "claimed_at": now, "attempts": Notification.attempts + 1}


def claim(limit=None, now=None):
    """Claim up to ``limit`` due messages for this worker and commit; returns their ids."""
    now = now or utcnow()
    limit = limit or current_app.config["EHA_NOTIFICATIONS_BATCH"]
    due = sa.select(Notification.id).where(_due(now)).order_by(Notification.next_attempt_at, Notification.id)
    if db.session.get_bind().dialect.name == "postgresql":
        ids = db.session.scalars(due.limit(limit).with_for_update(skip_locked=True)).all()
        if ids:
            db.session.execute(sa.update(Notification).where(Notification.id.in_(ids)).values(**_claimed_values(now)))
    else:
        claimed = db.session.execute(
            sa.update(Notification)
            .where(Notification.id.in_(due.limit(limit).scalar_subquery()), _due(now))
            .values(**_claimed_values(now))
            .returning(Notification.id)
        )
        ids = sorted(claimed.scalars().all())
    db.session.commit()
    return list(ids)


def _mine(notification_id, claimed_at):
    """The row, while it is still this worker's claim (not reclaimed by another after the lease)."""
    return (
        Notification.id == notification_id,
        Notification.status == "sending",
        Notification.claimed_at == claimed_at,
    )


def _record_sent(row):
    db.session.execute(
        sa.update(Notification)
        .where(*_mine(row.id, row.claimed_at))
        .values(status="sent", sent_at=utcnow(), last_error=None)
    )
    db.session.commit()


def _record_failure(row, reason, now):
    config = current_app.config
    reason = reason[:ERROR_MAX]
    if row.attempts >= config["EHA_NOTIFICATIONS_MAX_ATTEMPTS"]:
        values = {"status": "failed", "last_error": reason}
    else:
        delay = config["EHA_NOTIFICATIONS_RETRY_SECONDS"] * 2 ** (row.attempts - 1)
        values = {"status": "queued", "last_error": reason, "next_attempt_at": now + timedelta(seconds=delay)}
    db.session.execute(sa.update(Notification).where(*_mine(row.id, row.claimed_at)).values(**values))
    db.session.commit()
    return values["status"]


def _claimed_rows(ids):
    rows = db.session.scalars(sa.select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id))
    # Detached copies: each result below commits, and a commit would expire them.
    rows = rows.all()
    for row in rows:
        db.session.expunge(row)
    return rows


def send_claimed(ids, channel, now=None, webhooks=None):
    """Send the claimed rows: emails through ``channel``, webhook deliveries through ``webhooks``."""
    outcome = Outcome()
    for row in _claimed_rows(ids):
        try:
            (webhooks if row.kind == "webhook" else channel).send(row)
        except ChannelError as exc:
            log.warning("notification %s to %s not sent (attempt %s): %s", row.id, row.kind, row.attempts, exc)
            status = _record_failure(row, str(exc), now or utcnow())
            if status == "failed":
                outcome.failed += 1
            else:
                outcome.retrying += 1
            continue
        _record_sent(row)
        outcome.sent += 1
    return outcome


class _Broken:
    """A channel that could not be opened (say, a malformed Notify key): each message records why."""

    def __init__(self, reason):
        self.reason = reason

    def send(self, _notification):
        raise ChannelError(self.reason)

    def close(self):
        pass


def _open_or_broken():
    try:
        return open_channel()
    except ChannelError as exc:
        return _Broken(str(exc))


def deliver_due(limit=None, now=None, channel=None):
    """Claim one batch of due messages and send it; returns the ``Outcome``."""
    ids = claim(limit, now)
    if not ids:
        return Outcome()
    own_channel = channel is None
    channel = channel or _open_or_broken()
    webhooks = WebhookChannel()
    try:
        return send_claimed(ids, channel, now, webhooks)
    finally:
        webhooks.close()
        if own_channel:
            channel.close()


def deliver_all(now=None, max_batches=1000):
    """Send batches until nothing is due (``flask notifications send``); bounded by ``max_batches``."""
    total = Outcome()
    for _batch in range(max_batches):
        outcome = deliver_due(now=now)
        total.add(outcome)
        if not outcome.claimed:
            break
    return total
