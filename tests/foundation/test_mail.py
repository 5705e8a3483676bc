"""Sending email: an .eml file per message without a mail server; SMTP (STARTTLS, login) with one."""

import datetime
import email
import email.policy
import ipaddress
import socket
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from eha import mail
from tests import mailbox


def test_without_a_server_each_message_is_an_eml_file_a_newcomer_can_open(app, mail_dir):
    mail.send("sam@example.org", "First", "Hello Sam\n")
    mail.send("kim@example.org", "Second", "Hello Kim\n")
    files = sorted(mail_dir.glob("*.eml"))
    assert len(files) == 2 and all(f.name[:8].isdigit() for f in files)  # named by the time it was sent
    first, second = mailbox.messages(mail_dir)
    assert (first["To"], first["Subject"], mailbox.body(first)) == ("sam@example.org", "First", "Hello Sam\n")
    assert first["From"] == app.config["MAIL_FROM"] and first["Date"] and first["Message-ID"]
    assert second["To"] == "kim@example.org"


def test_by_default_mail_goes_to_instance_mail(app, monkeypatch, tmp_path):
    app.config["EHA_MAIL_DIR"] = None
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    mail.send("sam@example.org", "Hi", "Body\n")
    assert len(list((tmp_path / "instance" / "mail").glob("*.eml"))) == 1


def test_a_header_with_a_line_break_is_refused(app):
    with pytest.raises(ValueError):
        mail.send("sam@example.org", "Hi\nBcc: everyone@example.org", "Body\n")


class _Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd), for the duration of a test."""
    servers = []

    def start(**smtp_options):
        inbox = _Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **smtp_options)
        controller.start()
        servers.append(controller)
        return inbox, controller.port

    yield start
    for controller in servers:
        controller.stop()


def _received(inbox):
    [envelope] = inbox.envelopes
    return envelope, email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def test_with_a_server_the_message_is_sent_over_smtp(app, smtp_server, mail_dir):
    inbox, port = smtp_server()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_USERNAME=None,
        MAIL_FROM="earlyhelp@northshire.example.gov.uk",
    )
    mail.send("sam@example.org", "Reset your password", "Follow this link\n")
    envelope, message = _received(inbox)
    assert envelope.mail_from == "earlyhelp@northshire.example.gov.uk" and envelope.rcpt_tos == ["sam@example.org"]
    assert message["Subject"] == "Reset your password" and mailbox.body(message).strip() == "Follow this link"
    assert not mail_dir.exists()  # nothing written to disk when a server is set


def _certificate(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_starttls_and_login_when_configured(app, smtp_server, tmp_path, monkeypatch):
    cert_path, key_path = _certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"relay-secret", handled=False)

    inbox, port = smtp_server(
        tls_context=server_tls, require_starttls=True, auth_required=True, authenticator=authenticator
    )
    # The client verifies the server's certificate as usual; here it trusts the test's own certificate.
    monkeypatch.setattr(mail, "_tls_context", lambda: ssl.create_default_context(cafile=str(cert_path)))
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=True,
        MAIL_USERNAME="eha-relay",
        MAIL_PASSWORD="relay-secret",
    )
    mail.send("kim@example.org", "Your account", "Choose a password\n")
    envelope, message = _received(inbox)
    assert envelope.rcpt_tos == ["kim@example.org"] and message["Subject"] == "Your account"
    assert logins and logins[0][1:] == (b"eha-relay", b"relay-secret")

    app.config["MAIL_PASSWORD"] = "wrong"
    with pytest.raises(mail.MailError):
        mail.send("kim@example.org", "Again", "Body\n")
    assert len(inbox.envelopes) == 1


def test_an_unreachable_server_is_a_mail_error_not_a_crash(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), MAIL_USE_TLS=False)
    with pytest.raises(mail.MailError):
        mail.send("sam@example.org", "Hi", "Body\n")


def test_the_reset_link_email_arrives_through_smtp(app, client, practitioner, smtp_server):
    inbox, port = smtp_server()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, EHA_BASE_URL="https://earlyhelp.example.gov.uk"
    )
    client.post("/account/reset-password", data={"email": practitioner.email})
    _envelope, message = _received(inbox)
    assert message["To"] == practitioner.email
    assert "https://earlyhelp.example.gov.uk/account/reset-password/" in mailbox.body(message)


def test_when_the_server_is_down_the_forgotten_password_page_reads_the_same(app, client, practitioner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), MAIL_USE_TLS=False)
    page = client.post("/account/reset-password", data={"email": practitioner.email})
    assert page.status_code == 200 and "If the address" in page.text
