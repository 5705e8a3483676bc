"""The council's notification settings: the one place that answers "what are they".

An administrator saves them on ``/admin/notifications`` (one ``NotificationSettings`` row); until then they are
the config values, so nothing changes for a council that never opens the page.
"""

from dataclasses import dataclass
from email.headerregistry import Address

from flask import current_app
from sqlalchemy.exc import IntegrityError

from eha import audit
from eha.errors import StaleEdit, expect_version
from eha.extensions import db
from eha.models.notifications import NotificationSettings
from eha.transaction import autocommit

OPTIONAL = ("sender_name", "reply_to")
FIELDS = ("daily_digest_default", "weekly_digest_default", "sender_name", "sender_email", "reply_to")


@dataclass(frozen=True)
class Settings:
    daily_digest_default: bool
    weekly_digest_default: bool
    sender_name: str | None
    sender_email: str
    reply_to: str | None
    version: int | None  # None: never saved (the config values)

    @property
    def from_header(self):
        """``"Northshire Early Help <earlyhelp@...>"``, or the bare address when there is no name."""
        if not self.sender_name:
            return self.sender_email
        return str(Address(display_name=self.sender_name, addr_spec=self.sender_email))

    @property
    def sender_domain(self):
        return self.sender_email.rpartition("@")[2]


def _row():
    return db.session.get(NotificationSettings, 1)


def current():
    """The saved settings, or the config values when an administrator has not saved any."""
    row = _row()
    if row is None:
        config = current_app.config
        return Settings(
            daily_digest_default=bool(config["EHA_DIGEST_DAILY_DEFAULT"]),
            weekly_digest_default=bool(config["EHA_DIGEST_WEEKLY_DEFAULT"]),
            sender_name=None,
            sender_email=config["MAIL_FROM"],
            reply_to=None,
            version=None,
        )
    return Settings(**{name: getattr(row, name) for name in FIELDS}, version=row.version_id)


@autocommit
def save(acting, *, expected_version, **values):
    """Save the settings (``values``: each of ``FIELDS``); returns the names of the fields that changed. Raises
    ``StaleEdit`` when someone saved them after ``expected_version`` (0: the page showed the config values)."""
    row = db.session.query(NotificationSettings).filter_by(id=1).with_for_update().one_or_none()
    before = current()
    expect_version(expected_version, row.version_id if row is not None else 0)
    values = {name: (values[name] or None) if name in OPTIONAL else values[name] for name in FIELDS}
    changed = [name for name in FIELDS if getattr(before, name) != values[name]]
    if not changed:
        return []
    if row is None:
        row = NotificationSettings(id=1)
        db.session.add(row)
    for name in FIELDS:
        setattr(row, name, values[name])
    row.updated_by_id = acting.id
    try:
        db.session.flush()
    except IntegrityError as exc:  # two first saves at once: the other one made the row
        raise StaleEdit() from exc
    audit.record("notification_settings_changed", detail={"fields": changed})
    return changed
