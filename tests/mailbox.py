"""Reading the emails a test sent: the .eml files eha writes when no mail server is set."""

import email
import email.policy
import re
from pathlib import Path

LINK = re.compile(r"https?://[^\s/]+(/account/reset-password/[A-Za-z0-9_\-]+)")


def messages(mail_dir):
    """Every message written to ``mail_dir``, oldest first."""
    directory = Path(mail_dir)
    if not directory.is_dir():
        return []
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(directory.glob("*.eml"))
    ]


def body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def sent_to(mail_dir, address):
    return [m for m in messages(mail_dir) if m["To"] == address]


def link_in(message):
    """The path of the password link in ``message`` (what a user's click would open)."""
    match = LINK.search(body(message))
    assert match, f"no password link in the email:\n{body(message)}"
    return match.group(1)


def full_link_in(message):
    match = LINK.search(body(message))
    assert match
    return match.group(0)
