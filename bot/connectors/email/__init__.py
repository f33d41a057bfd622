"""``email.send`` over SMTP: chosen with ``SOPBOT_CONNECTOR_EMAIL=bot.connectors.email:connect``
and configured by the ``SOPBOT_SMTP_*`` settings."""

from bot.connectors.email.connector import SmtpConfig, SmtpConnector, connect

__all__ = ["SmtpConfig", "SmtpConnector", "connect"]
