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

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 30


class MailError(RuntimeError):
    """The message could not be handed to the mail server (or written)."""


def build(to, subject, body):
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(body)
    return message


def send(to, subject, body):
    """Send a plain-text email to one address; returns the message. Raises ``MailError`` when it fails."""
    message = build(to, subject, body)
    if current_app.config.get("MAIL_SERVER"):
        _send_smtp(message)
    else:
        _write_eml(message)
    return message


def _tls_context():
    return ssl.create_default_context()


def _send_smtp(message):
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=_tls_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
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
