"""The delivery report for managers: how many messages are queued, sent and failed, and each one's state."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.choices import NOTIFICATION_STATUSES
from eha.models.notifications import Notification
from eha.pagination import paginate


def status_counts():
    """``[(status, label, count)]`` in the statuses' order."""
    counts = dict(
        db.session.execute(sa.select(Notification.status, sa.func.count()).group_by(Notification.status)).all()
    )
    return [(status, label, counts.get(status, 0)) for status, label in NOTIFICATION_STATUSES.items()]


def chosen_status(raw):
    """The status asked for in ``?status=``, or None (all) for anything else."""
    return raw if raw in NOTIFICATION_STATUSES else None


def delivery_page(status=None):
    """A page of messages, newest first (``status``: only those)."""
    select = sa.select(Notification).order_by(Notification.created_at.desc(), Notification.id.desc())
    if status:
        select = select.where(Notification.status == status)
    return paginate(select)
