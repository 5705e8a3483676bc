"""Sending email: over SMTP when ``MAIL_SERVER`` is set, otherwise as ``.eml`` files a developer can open.

Emails from eha carry no case content: a link, the person's own name, who to contact. With no server
(development, tests) each message is written to ``EHA_MAIL_DIR`` (default ``instance/mail/``), one file per
message named by the time it was sent.
"""

import logging
import os
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from eha.models.base import utcnow
from eha.notifications import settings as notification_settings

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 30


class MailError(RuntimeError):
    """The message could not be handed to the mail server (or written)."""


def build(to, subject, body, *, html=None, calendar=None, calendar_method=None):
    """An email with its plain-text ``body``; ``html`` adds an HTML alternative, ``calendar`` an iCalendar
    invitation both as a ``text/calendar; method=...`` alternative (what Outlook and Google Calendar read to offer
    accept and decline) and as an ``invite.ics`` attachment (what a person opens). From and Reply-To are the
    council's sender details (``eha.notifications.settings.current``)."""
    sender = notification_settings.current()
    message = EmailMessage()
    message["From"] = sender.from_header
    if sender.reply_to:
        message["Reply-To"] = sender.reply_to
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.sender_domain or None)
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    if calendar:
        method = calendar_method or "REQUEST"
        message.add_alternative(calendar, subtype="calendar", params={"method": method})
        message.make_mixed()
        message.add_attachment(calendar.encode("utf-8"), maintype="application", subtype="ics", filename="invite.ics")
    return message


def send(to, subject, body, **parts):
    """Send an email to one address (``parts``: see ``build``); returns the message. Raises ``MailError`` when it
    fails."""
    message = build(to, subject, body, **parts)
    send_message(message)
    return message


def send_message(message, *, to_files=None):
    """Hand a built message to the mail server, or write it as an ``.eml`` file when there is none (or when
    ``to_files``)."""
    if to_files is None:
        to_files = not current_app.config.get("MAIL_SERVER")
    if to_files:
        _write_eml(message)
    else:
        _send_smtp(message)


def _tls_context():
    return ssl.create_default_context()


def connect():
    """An SMTP connection to ``MAIL_SERVER``, after STARTTLS and login when configured. Raises ``MailError``."""
    config = current_app.config
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS)
    except OSError as exc:
        raise MailError(f"cannot reach the mail server: {exc}") from exc
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=_tls_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except (OSError, smtplib.SMTPException) as exc:
        smtp.close()
        raise MailError(str(exc)) from exc
    return smtp


def _send_smtp(message):
    try:
        smtp = connect()
        with smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException, MailError) as exc:
        log.exception("could not send email %r to the mail server", message["Subject"])
        raise MailError(str(exc)) from exc


def mail_dir():
    return current_app.config.get("EHA_MAIL_DIR") or os.path.join(current_app.instance_path, "mail")


def _write_eml(message):
    directory = mail_dir()
    name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}.eml"
    try:
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, name), "wb") as handle:
            handle.write(message.as_bytes())
    except OSError as exc:
        log.exception("could not write email %r to %s", message["Subject"], directory)
        raise MailError(str(exc)) from exc
    log.info("email %r to %s written to %s", message["Subject"], message["To"], os.path.join(directory, name))
