"""Sends ``email.send`` calls through an SMTP server, one connection per email.

A connection per email keeps a failure to that email: a server that drops an idle
connection, or a send that timed out, never leaves a half-used session for the next run.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from bot.audit.masking import mask_logs
from bot.catalogue.builtin.email import SendArgs, Sent
from bot.catalogue.operation import ConnectorServices, Health, Operation
from bot.config import Settings, load_settings
from bot.connectors.base import ToolError
from bot.connectors.email.faults import tool_error
from bot.connectors.email.message import compose, message_id
from storage import redaction


@dataclass(frozen=True)
class SmtpConfig:
    """Where and as whom to send. ``repr`` leaves the password out."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    timeout: float = 30.0

    @property
    def secrets(self) -> list[str]:
        """Every form of the password a server could quote back: itself, and what
        ``AUTH PLAIN`` and ``AUTH LOGIN`` send for it (base64)."""
        if self.user is None or self.password is None:
            return []
        plain = f"\0{self.user}\0{self.password}".encode()
        return [
            self.password,
            base64.b64encode(plain).decode(),
            base64.b64encode(self.password.encode()).decode(),
        ]

    @property
    def server(self) -> str:
        """``host:port``, as errors name the server."""
        return f"{self.host}:{self.port}"

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        """The ``SOPBOT_SMTP_*`` settings; a missing one is refused in one line naming it."""
        host, sender = settings.smtp_host, settings.smtp_from
        if not host or not sender:
            missing = [
                name
                for name, value in (("SOPBOT_SMTP_HOST", host), ("SOPBOT_SMTP_FROM", sender))
                if not value
            ]
            raise ValueError(f"{' and '.join(missing)} must be set to send email over SMTP")
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        if (settings.smtp_user is None) != (password is None):
            raise ValueError(
                "SOPBOT_SMTP_USER and SOPBOT_SMTP_PASSWORD go together: set both to log in, "
                "or neither for a server that needs no login"
            )
        return cls(
            host=host,
            port=settings.smtp_port,
            sender=sender,
            user=settings.smtp_user,
            password=password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout,
        )


class SmtpConnector:
    """Performs ``email.send``; the call's idempotency key becomes the Message-ID."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        if config.secrets:
            redaction.register(config.secrets)  # masked wherever it might be echoed
            mask_logs()

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Send one email; a server that refuses some recipients but not all still sends,
        and the answer lists who was refused and why."""
        if operation.name != "email.send":
            raise ToolError(f"the SMTP connector performs email.send only, not {operation.name}")
        args = SendArgs.model_validate(arguments)
        identifier = message_id(idempotency_key)
        message = compose(args, self.config.sender, identifier)
        try:
            refused = self._deliver(message)
        except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
            raise tool_error(error, self.config.server) from None
        sent = Sent(message_id=identifier).model_dump()
        if refused:
            sent["refused"] = {
                address: f"{code} {text.decode('utf-8', 'replace')}"
                for address, (code, text) in refused.items()
            }
        return sent

    def check(self) -> list[Health]:
        """``sopbot doctor``: connect, greet, upgrade to TLS and log in as a send would,
        then quit without sending anything."""
        config = self.config
        try:
            with self._session() as client:
                client.ehlo_or_helo_if_needed()
                client.noop()
        except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
            return [
                Health(
                    f"SMTP {config.server}", ok=False, detail=str(tool_error(error, config.server))
                )
            ]
        steps = ["connected"]
        if config.starttls:
            steps.append("TLS verified")
        steps.append(f"logged in as {config.user}" if config.user else "no login configured")
        return [Health(f"SMTP {config.server}", ok=True, detail=", ".join(steps))]

    def _deliver(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        with self._session() as client:
            return client.send_message(message)

    @contextmanager
    def _session(self) -> Iterator[smtplib.SMTP]:
        """A connection greeted, upgraded to TLS and logged in, as configured."""
        config = self.config
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as client:
            if config.starttls:
                client.starttls(context=ssl.create_default_context())
            if config.user is not None and config.password is not None:
                client.login(config.user, config.password)
            yield client


def connect(services: ConnectorServices) -> SmtpConnector:
    """The connector factory ``SOPBOT_CONNECTOR_EMAIL=bot.connectors.email:connect`` names:
    configured from the ``SOPBOT_SMTP_*`` settings of this process."""
    return SmtpConnector(SmtpConfig.from_settings(load_settings()))
