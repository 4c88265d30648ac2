"""Delivery over STARTTLS with login, to an aiosmtpd server on loopback that demands both.

The server has a certificate made here for 127.0.0.1, and the client trusts it through
``SSL_CERT_FILE`` (what an installation does for an internal relay's own CA), so the
certificate is verified as in production, not switched off.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine
from sqlmodel import select
from test_mail import AS_OF, db, enqueue_request, make_settings, make_world, parse
from test_mail_smtp import free_port

from arshjul.mail.sender import deliver_queued
from arshjul.models.outbox import MessageState, OutboxMessage

USER, PASSWORD = "arshjul", "rätt-lösenord"


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid today."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Inbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        assert session.ssl is not None, "a message arrived without TLS"
        self.received.append(envelope.original_content)
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = data.login.decode(), data.password.decode()
        self.logins.append(user)
        # handled=False: aiosmtpd answers (235, or 535 on a wrong password) itself.
        return AuthResult(success=user == USER and password == PASSWORD, handled=False)


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Inbox, int]]:
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts exactly this one
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=inbox.authenticate,
        server_hostname="127.0.0.1",
    )
    controller.start()
    yield inbox, port
    controller.stop()


def _queue(engine: Engine, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with db(engine) as session:
        world = make_world(session, settings)
        enqueue_request(session, world, attachments=[])
        session.commit()


def test_a_message_goes_over_starttls_with_login(
    engine: Engine, tmp_path: Path, tls_server: tuple[Inbox, int]
) -> None:
    inbox, port = tls_server
    _queue(engine, tmp_path)
    settings = make_settings(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=True,
        smtp_username=USER,
        smtp_password=PASSWORD,
        smtp_timeout_seconds=5,
    )
    report = deliver_queued(engine, settings=settings, as_of=AS_OF)
    assert report.sent == 1, report
    assert inbox.logins == [USER]
    assert parse(inbox.received[0])["Subject"].startswith("Begäran om underlag")


def test_a_wrong_password_keeps_the_message_and_says_why_in_swedish(
    engine: Engine, tmp_path: Path, tls_server: tuple[Inbox, int]
) -> None:
    inbox, port = tls_server
    _queue(engine, tmp_path)
    settings = make_settings(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=True,
        smtp_username=USER,
        smtp_password="fel-lösenord",
        smtp_timeout_seconds=5,
    )
    deliver_queued(engine, settings=settings, as_of=AS_OF)
    assert inbox.received == []
    with db(engine) as session:
        (row,) = session.exec(select(OutboxMessage)).all()
    # A login failure is the installation's mistake, not the recipient's: the message
    # waits for the right password rather than being given up.
    assert row.state == MessageState.QUEUED
    assert "Inloggningen på e-postservern" in row.last_error


def test_without_starttls_the_server_refuses_and_nothing_is_lost(
    engine: Engine, tmp_path: Path, tls_server: tuple[Inbox, int]
) -> None:
    inbox, port = tls_server
    _queue(engine, tmp_path)
    settings = make_settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_timeout_seconds=5
    )
    deliver_queued(engine, settings=settings, as_of=AS_OF)
    assert inbox.received == []
    with db(engine) as session:
        (row,) = session.exec(select(OutboxMessage)).all()
    assert row.state == MessageState.QUEUED
