import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from tests import factories


class Inbox:
    """What a real SMTP server (aiosmtpd on loopback) received."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"

    @property
    def messages(self):
        return [email.message_from_bytes(e.original_content, policy=email.policy.default) for e in self.envelopes]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A real SMTP server for this test, and the app set to send to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_USE_TLS=False,
        MAIL_USERNAME=None,
        EHA_NOTIFICATIONS_CHANNEL="smtp",
        EHA_BASE_URL="https://earlyhelp.northshire.example.gov.uk",
    )
    yield inbox
    controller.stop()


@pytest.fixture
def school(app):
    return factories.agency(name="Northtown Primary School", kind="school")


@pytest.fixture
def health(app):
    return factories.agency(name="Northshire Health Visiting", kind="health")


@pytest.fixture
def lead(app, school):
    return factories.user(role="practitioner", agency=school, name="Lena Lead", email="lena.lead@school.example.org")


@pytest.fixture
def nurse(app, health):
    return factories.user(role="practitioner", agency=health, name="Nia Nurse", email="nia.nurse@health.example.org")
