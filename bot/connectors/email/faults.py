"""What went wrong with an SMTP exchange, as a ``ToolError`` a person can act on.

SMTP says itself what is worth retrying: a 4xx reply is temporary, a 5xx permanent. A
server that cannot be reached or answers too slowly is retried too; a refused login, a
certificate that does not verify, or a server without STARTTLS are configuration to fix,
so they name the setting. No message ever contains the password.
"""

from __future__ import annotations

import smtplib
import ssl

from bot.connectors.base import ToolError


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"


def _by_code(code: int, what: str) -> ToolError:
    """4xx: temporary, retried; anything else refused for good."""
    return ToolError(what, retryable=400 <= code < 500)


def tool_error(error: Exception, server: str) -> ToolError:
    """``error`` raised while talking to ``server`` (host:port) as a ToolError."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        reply = _reply(error.smtp_code, error.smtp_error)
        if 400 <= error.smtp_code < 500:
            return ToolError(
                f"the SMTP server {server} cannot log in now ({reply})", retryable=True
            )
        return ToolError(
            f"the SMTP server {server} refused the login ({reply}): check SOPBOT_SMTP_USER "
            "and SOPBOT_SMTP_PASSWORD"
        )
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = error.recipients.items()
        words = "; ".join(f"{address}: {_reply(*reply)}" for address, reply in refused)
        temporary = all(400 <= code < 500 for code, _text in error.recipients.values())
        return ToolError(
            f"the SMTP server {server} refused every recipient ({words})", retryable=temporary
        )
    if isinstance(error, smtplib.SMTPSenderRefused):
        reply = _reply(error.smtp_code, error.smtp_error)
        return _by_code(
            error.smtp_code,
            f"the SMTP server {server} refused the sender {error.sender} ({reply}): check "
            "SOPBOT_SMTP_FROM",
        )
    if isinstance(error, smtplib.SMTPResponseException):
        reply = _reply(error.smtp_code, error.smtp_error)
        return _by_code(error.smtp_code, f"the SMTP server {server} refused the email ({reply})")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        if "STARTTLS" in str(error):
            fix = "set SOPBOT_SMTP_STARTTLS=false only for a server on a trusted network"
        else:
            fix = "unset SOPBOT_SMTP_USER and SOPBOT_SMTP_PASSWORD if it needs no login"
        return ToolError(f"the SMTP server {server} says: {error} ({fix})")
    if isinstance(error, ssl.SSLCertVerificationError):
        return ToolError(
            f"the SMTP server {server}'s certificate is not trusted ({error.verify_message}): "
            "check SOPBOT_SMTP_HOST, or add its CA to the file SSL_CERT_FILE names"
        )
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return ToolError(f"the SMTP server {server} did not answer in time", retryable=True)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return ToolError(f"the SMTP server {server} closed the connection: {error}", retryable=True)
    return ToolError(f"cannot reach the SMTP server {server}: {error}", retryable=True)
