"""How a message leaves eha: SMTP (a council's relay), GOV.UK Notify, or ``.eml`` files in development.

``open_channel()`` gives the configured channel for one batch (an SMTP connection is opened once per batch, not
per message). ``send(notification)`` raises ``ChannelError`` with a short reason when the message could not be
handed over; the worker keeps the message queued and tries again later.

GOV.UK Notify sends through templates by id: ``NOTIFY_TEMPLATE_ID`` (or ``NOTIFY_TEMPLATE_<KIND>``) is a template
whose subject is ``((subject))`` and whose body is ``((body))``. Notify cannot attach a ``.ics`` file, so through
Notify an invitation carries its link and not the calendar part.
"""

import logging
import re
import smtplib

from flask import current_app
from notifications_python_client.errors import APIError, HTTPError, InvalidResponse, TokenError
from notifications_python_client.notifications import NotificationsAPIClient
from requests import RequestException

from eha import mail

log = logging.getLogger(__name__)

SMTP, NOTIFY, FILES = "smtp", "notify", "files"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_KEY = re.compile(rf".+-{_UUID}-{_UUID}")


class ChannelError(RuntimeError):
    """The message was not handed over; ``str()`` is the reason kept on the outbox row."""


def _build(notification):
    return mail.build(
        notification.address,
        notification.subject,
        notification.body,
        html=notification.html_body,
        calendar=notification.calendar,
        calendar_method="CANCEL" if notification.kind == "invitation_cancel" else "REQUEST",
    )


class FilesChannel:
    name = FILES

    def send(self, notification):
        try:
            mail.send_message(_build(notification), to_files=True)
        except mail.MailError as exc:
            raise ChannelError(str(exc)) from exc

    def close(self):
        pass


class SmtpChannel:
    """One SMTP connection for a batch, opened at the first message and reopened once if the server drops it."""

    name = SMTP

    def __init__(self):
        self._smtp = None

    def _connection(self):
        if self._smtp is None:
            try:
                self._smtp = mail.connect()
            except mail.MailError as exc:
                raise ChannelError(str(exc)) from exc
        return self._smtp

    def send(self, notification):
        message = _build(notification)
        try:
            self._connection().send_message(message)
        except smtplib.SMTPServerDisconnected:
            self._smtp = None
            self._send_again(message)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise ChannelError(f"the mail server refused the message: {exc}") from exc

    def _send_again(self, message):
        try:
            self._connection().send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise ChannelError(f"the mail server refused the message: {exc}") from exc

    def close(self):
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


class NotifyChannel:
    name = NOTIFY

    def __init__(self):
        config = current_app.config
        self.templates = config.get("NOTIFY_TEMPLATE_IDS") or {}
        self.default_template = config.get("NOTIFY_TEMPLATE_ID")
        key = config.get("NOTIFY_API_KEY") or ""
        # A key is "<name>-<service id>-<secret>", both UUIDs; the client only asserts this, so check it here.
        if not _KEY.fullmatch(key):
            raise ChannelError("NOTIFY_API_KEY is not a GOV.UK Notify API key")
        self.client = NotificationsAPIClient(key, base_url=config["NOTIFY_BASE_URL"])

    def template_for(self, kind):
        template = self.templates.get(kind) or self.default_template
        if not template:
            raise ChannelError(f"no GOV.UK Notify template is set for {kind} (NOTIFY_TEMPLATE_ID)")
        return template

    def send(self, notification):
        try:
            self.client.send_email_notification(
                email_address=notification.address,
                template_id=self.template_for(notification.kind),
                personalisation={"subject": notification.subject, "body": notification.body},
                reference=notification.key,
            )
        except (APIError, HTTPError, InvalidResponse, TokenError, RequestException) as exc:
            raise ChannelError(f"GOV.UK Notify: {_notify_reason(exc)}") from exc

    def close(self):
        pass


def _notify_reason(exc):
    messages = getattr(exc, "message", None)
    if isinstance(messages, list):
        return "; ".join(str(m.get("message", m)) if isinstance(m, dict) else str(m) for m in messages)
    status = getattr(exc, "status_code", None)
    return f"{status} {messages or exc}" if status else str(messages or exc)


def channel_name():
    config = current_app.config
    chosen = (config.get("EHA_NOTIFICATIONS_CHANNEL") or "").strip().lower()
    if chosen in (SMTP, NOTIFY, FILES):
        return chosen
    if config.get("NOTIFY_API_KEY"):
        return NOTIFY
    return SMTP if config.get("MAIL_SERVER") else FILES


def open_channel():
    return {SMTP: SmtpChannel, NOTIFY: NotifyChannel, FILES: FilesChannel}[channel_name()]()
