"""An SMTP server per test, trusted through ``SSL_CERT_FILE`` as an operator trusts a
private CA, and the ``SOPBOT_SMTP_*`` settings that point the email connector at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.connectors.email.smtp_server import (
    PASSWORD,
    USER,
    SmtpServer,
    serving,
    write_certificate,
)

SENDER = "Support <support@example.com>"


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_certificate(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def smtp(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """The server, with the connector configured for it through the environment."""
    with serving(*certificate) as server:
        for name in ("SOPBOT_SMTP_STARTTLS", "SOPBOT_SMTP_PORT"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
        monkeypatch.setenv("SOPBOT_SMTP_HOST", server.host)
        monkeypatch.setenv("SOPBOT_SMTP_PORT", str(server.port))
        monkeypatch.setenv("SOPBOT_SMTP_USER", USER)
        monkeypatch.setenv("SOPBOT_SMTP_PASSWORD", PASSWORD)
        monkeypatch.setenv("SOPBOT_SMTP_FROM", SENDER)
        monkeypatch.setenv("SOPBOT_SMTP_TIMEOUT", "2")
        yield server
