"""Which digests a user receives: their choice, or the council's defaults (``eha.notifications.settings``) until they
make one."""

from eha import audit
from eha.extensions import db
from eha.models.notifications import NotificationPreference
from eha.notifications import settings
from eha.transaction import autocommit


def chosen(user):
    """``{"daily": bool, "weekly": bool}`` for ``user``."""
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        defaults = settings.current()
        return {"daily": defaults.daily_digest_default, "weekly": defaults.weekly_digest_default}
    return {"daily": row.daily_digest, "weekly": row.weekly_digest}


@autocommit
def choose(user, digests):
    """Save ``user``'s choice (``digests``: the kinds ticked, of "daily" and "weekly")."""
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id)
        db.session.add(row)
    row.daily_digest = "daily" in digests
    row.weekly_digest = "weekly" in digests
    db.session.flush()
    audit.record("notifications_chosen", user=user, detail={"daily": row.daily_digest, "weekly": row.weekly_digest})
    return row
