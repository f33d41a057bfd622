"""``email.send`` through a real ``smtplib`` client to an SMTP server on loopback: what
arrives, and what a person reads when the server refuses, fails or hangs."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from bot.catalogue.builtin.email import SPEC
from bot.catalogue.operation import ConnectorServices
from bot.catalogue.registry import (
    Catalogue,
    CatalogueError,
    Implementation,
    choose_factories,
    open_connectors,
)
from bot.connectors.base import ToolError
from bot.connectors.email import SmtpConnector, connect
from bot.connectors.email.message import message_id
from tests.connectors.email.conftest import SENDER
from tests.connectors.email.smtp_server import PASSWORD, USER, SmtpServer

(SEND,) = SPEC.operations
EMAIL = {
    "to": ["ana@customer.example"],
    "cc": ["desk@example.com"],
    "subject": "Your refund for order 1042",
    "body": "We have refunded 120.00 EUR.\n",
}


def _connector() -> SmtpConnector:
    services = ConnectorServices(("email",), lambda: dt.datetime.now(dt.UTC), {})
    return connect(services)


def _failure(**arguments: object) -> ToolError:
    with pytest.raises(ToolError) as raised:
        _connector().invoke(SEND, {**EMAIL, **arguments}, idempotency_key="refund-email-1")
    return raised.value


def test_the_email_arrives_over_starttls_logged_in_with_the_key_as_its_message_id(
    smtp: SmtpServer,
) -> None:
    sent = _connector().invoke(SEND, EMAIL, idempotency_key="refund-email-RF-0001")

    assert sent == {"message_id": "<refund-email-RF-0001@sopbot>"}
    (delivered,) = smtp.mailbox.delivered
    assert (delivered.tls, delivered.login) == (True, USER)
    assert delivered.recipients == ["ana@customer.example", "desk@example.com"]
    message = delivered.message
    assert message["Message-ID"] == "<refund-email-RF-0001@sopbot>"
    assert (message["From"], message["To"], message["Cc"]) == (
        SENDER,
        "ana@customer.example",
        "desk@example.com",
    )
    assert message["Subject"] == "Your refund for order 1042"
    assert message.get_content() == "We have refunded 120.00 EUR.\n"


def test_the_same_send_repeated_after_a_crash_carries_the_same_message_id(
    smtp: SmtpServer,
) -> None:
    _connector().invoke(SEND, EMAIL, idempotency_key="refund-email-RF-0001")
    _connector().invoke(SEND, EMAIL, idempotency_key="refund-email-RF-0001")

    ids = {delivered.message["Message-ID"] for delivered in smtp.mailbox.delivered}
    assert ids == {"<refund-email-RF-0001@sopbot>"}


def test_a_key_with_characters_a_message_id_cannot_hold_is_escaped_not_dropped() -> None:
    assert message_id("refund <1042> @ noon") == "<refund%20%3C1042%3E%20%40%20noon@sopbot>"


def test_a_wrong_password_names_the_settings_to_fix_and_never_the_password(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPBOT_SMTP_PASSWORD", "wrong-password-42")

    error = _failure()

    assert not error.retryable
    assert str(error) == (
        f"the SMTP server 127.0.0.1:{smtp.port} refused the login (535 5.7.8 Authentication "
        "credentials invalid): check SOPBOT_SMTP_USER and SOPBOT_SMTP_PASSWORD"
    )
    assert "wrong-password-42" not in repr(_connector().config)
    assert smtp.mailbox.delivered == []


def test_a_421_is_worth_retrying_and_the_next_send_goes_through(smtp: SmtpServer) -> None:
    smtp.mailbox.data_replies.append("421 4.3.2 Service shutting down, try later")

    error = _failure()

    assert error.retryable
    assert "421 4.3.2 Service shutting down, try later" in str(error)
    assert _connector().invoke(SEND, EMAIL, idempotency_key="refund-email-1")
    assert len(smtp.mailbox.delivered) == 1


def test_a_550_is_refused_for_good_in_the_server_s_words(smtp: SmtpServer) -> None:
    smtp.mailbox.data_replies.append("550 5.7.1 Message rejected as spam")

    error = _failure()

    assert not error.retryable
    assert str(error) == (
        f"the SMTP server 127.0.0.1:{smtp.port} refused the email "
        "(550 5.7.1 Message rejected as spam)"
    )


def test_every_recipient_refused_is_an_error_that_names_them(smtp: SmtpServer) -> None:
    smtp.mailbox.refused_recipients["ana@customer.example"] = "550 5.1.1 No such user"

    error = _failure(cc=[])

    assert not error.retryable
    assert "ana@customer.example: 550 5.1.1 No such user" in str(error)


def test_a_recipient_refused_beside_accepted_ones_is_reported_with_the_sent_email(
    smtp: SmtpServer,
) -> None:
    smtp.mailbox.refused_recipients["desk@example.com"] = "550 5.1.1 No such user"

    sent = _connector().invoke(SEND, EMAIL, idempotency_key="refund-email-1")

    assert sent["refused"] == {"desk@example.com": "550 5.1.1 No such user"}
    assert smtp.mailbox.delivered[0].recipients == ["ana@customer.example"]


def test_a_server_that_never_answers_times_out_and_is_retried(smtp: SmtpServer) -> None:
    smtp.mailbox.hang = True

    error = _failure()

    assert error.retryable
    assert str(error) == f"the SMTP server 127.0.0.1:{smtp.port} did not answer in time"


def test_a_server_nobody_listens_on_is_retried(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    monkeypatch.setenv("SOPBOT_SMTP_PORT", str(closed_port))

    error = _failure()

    assert error.retryable
    assert str(error).startswith(f"cannot reach the SMTP server 127.0.0.1:{closed_port}: ")
    assert "Connection refused" in str(error)


def test_a_certificate_nobody_trusts_is_refused_with_what_to_check(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/ca.pem")

    error = _failure()

    assert not error.retryable
    assert "certificate is not trusted" in str(error)
    assert "SSL_CERT_FILE" in str(error)
    assert smtp.mailbox.delivered == []


def test_a_server_without_login_says_which_settings_to_unset(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPBOT_SMTP_STARTTLS", "false")  # AUTH is offered only after TLS

    error = _failure()

    assert not error.retryable
    assert "unset SOPBOT_SMTP_USER and SOPBOT_SMTP_PASSWORD" in str(error)
    assert PASSWORD not in str(error)


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        ("SOPBOT_SMTP_HOST", "SOPBOT_SMTP_HOST must be set to send email over SMTP"),
        ("SOPBOT_SMTP_PASSWORD", "SOPBOT_SMTP_USER and SOPBOT_SMTP_PASSWORD go together"),
    ],
)
def test_a_missing_setting_stops_the_start_in_one_line_naming_it(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, unset: str, message: str
) -> None:
    monkeypatch.delenv(unset)
    factories = choose_factories(
        Catalogue([SPEC]),
        {"email": "bot.connectors.email:connect"},
        Implementation("sandbox", (), connect),
    )
    services = ConnectorServices((), lambda: dt.datetime.now(dt.UTC), {})

    with pytest.raises(CatalogueError, match="the connector for email could not start: ") as raised:
        open_connectors(factories, services)

    assert message in str(raised.value)
