"""Writing messages to the outbox, in the caller's transaction.

``enqueue`` only adds a row to the session's transaction: the change that causes a message and the message
commit together or not at all, and the worker sends what committed. The row's ``key`` names the event and the
recipient; enqueueing a key already there adds nothing (``INSERT ... ON CONFLICT DO NOTHING``, which PostgreSQL
and SQLite both have), so a retried request or a second ``flask demo`` never sends twice.
"""

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.dialects import postgresql, sqlite

from eha.extensions import db
from eha.models.base import utcnow
from eha.models.notifications import Notification

SUBJECT_MAX = 200
ERROR_MAX = 1000


def usable_address(address):
    """The address normalised, or None when it could not receive mail (a typo kept on an old record)."""
    if not address:
        return None
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def insert_once():
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` into the outbox, for this database."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(Notification).on_conflict_do_nothing(index_elements=["key"])


def enqueue(key, kind, *, address, subject, body, case=None, user_id=None, person_id=None, html=None, calendar=None):
    """Queue one message; True when it was added, False when ``key`` was queued before (or no usable address)."""
    address = usable_address(address)
    if address is None:
        return False
    now = utcnow()
    values = {
        "key": key,
        "kind": kind,
        "assessment_id": case.id if case is not None else None,
        "case_ref": case.ref if case is not None else None,
        "recipient_user_id": user_id,
        "recipient_person_id": person_id,
        "address": address,
        "subject": subject[:SUBJECT_MAX],
        "body": body,
        "html_body": html,
        "calendar": calendar,
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT DO NOTHING.
    return db.session.execute(insert_once().values(**values).returning(Notification.id)).first() is not None


def exists(key):
    return db.session.scalar(sa.select(sa.func.count()).where(Notification.key == key)) > 0


def keys_like(prefix):
    """The keys that start with ``prefix`` (an earlier invitation's recipients)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return db.session.scalars(sa.select(Notification.key).where(Notification.key.like(escaped + "%", escape="\\")))
