"""A small SMTP server for the email connector's tests: aiosmtpd on an ephemeral loopback
port, STARTTLS required before login, one account, and faults a test scripts (a reply to
the next DATA, a refused recipient, a DATA that never answers)."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER = "sopbot@example.com"
PASSWORD = "s3cret-smtp-pass"


@dataclass
class Delivered:
    """One accepted email and how its session got there."""

    message: EmailMessage
    recipients: list[str]
    tls: bool
    login: str | None


@dataclass
class Mailbox:
    """The server's behaviour: what it accepted, and the faults still to play."""

    delivered: list[Delivered] = field(default_factory=list)
    data_replies: deque[str] = field(default_factory=deque)
    refused_recipients: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    login_reply: str | None = None
    """The reply refusing every login, when set (a server that quotes what it was sent)."""

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.hang:
            await asyncio.Event().wait()  # never answers; stopping the server ends it
        if self.data_replies:
            return self.data_replies.popleft()
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message = message_from_bytes(content.replace(b"\r\n", b"\n"), policy=policy.default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.login.decode() if session.auth_data else None
        tls = session.ssl is not None
        self.delivered.append(Delivered(message, list(envelope.rcpt_tos), tls, login))
        return "250 2.0.0 Message accepted for delivery"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    refusal = server.event_handler.login_reply
    if refusal is not None:
        return AuthResult(success=False, handled=False, message=refusal)
    accepted = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == USER
        and auth_data.password.decode() == PASSWORD
    )
    if not accepted:
        return AuthResult(success=False, handled=False)  # aiosmtpd then answers 535
    return AuthResult(success=True, auth_data=auth_data)


class _Loopback(Controller):
    """aiosmtpd's controller on a port the system picks, so parallel runs never clash."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox


@contextmanager
def serving(certificate: Path, key: Path) -> Iterator[SmtpServer]:
    """An SMTP server on 127.0.0.1 that requires STARTTLS (with ``certificate``) and a login."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    mailbox = Mailbox()
    controller = _Loopback(
        mailbox,
        hostname="127.0.0.1",
        port=0,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticate,
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, mailbox)
    finally:
        controller.stop()


def write_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_file, key_file = directory / "smtp.pem", directory / "smtp.key"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_file, key_file
