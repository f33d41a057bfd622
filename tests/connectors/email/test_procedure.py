"""A procedure that emails a customer, run by the real engine with ``email`` routed to the
SMTP connector (``SOPBOT_CONNECTOR_EMAIL``) and everything else on the sandbox: the email
arrives, a temporary refusal is retried by the step's own rule, and a permanent one is
handed to a person in the server's words."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import Settings
from bot.harness import Harness
from tests.connectors.email.smtp_server import SmtpServer
from tests.engine.conftest import MakeHarness

WELCOME = """\
    id: welcome
    title: Welcome a customer
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: welcome}
    inputs:
      customer: {type: string}
      email: {type: string}
    permissions:
      allow: [email.send]
    escalation:
      to: [U04LEE]
    steps:
      - id: send
        action: email.send
        with:
          to: ["{{ inputs.email }}"]
          subject: Welcome aboard
          body: Your account is ready.
        idempotency_key: "welcome-{{ inputs.customer }}"
        save_as: sent
        on_failure:
          retry: {attempts: 3, backoff: 1m}
          then: escalate
          reason: The welcome email could not be sent
      - id: done
        end: completed
        message: "Sent {{ sent.message_id }}"
"""


@pytest.fixture
def harness(make_harness: MakeHarness, smtp: SmtpServer) -> Harness:
    settings = Settings.model_construct(connector={"email": "bot.connectors.email:connect"})
    return make_harness(WELCOME, settings=settings)


def test_the_procedure_s_email_arrives_with_its_key_as_the_message_id(
    harness: Harness, smtp: SmtpServer
) -> None:
    run = harness.start("welcome", {"customer": "C-1042", "email": "ana@customer.example"})

    assert run.status == "completed"
    assert run.reason == "Sent <welcome-C-1042@sopbot>"
    (delivered,) = smtp.mailbox.delivered
    assert delivered.message["Message-ID"] == "<welcome-C-1042@sopbot>"
    assert delivered.recipients == ["ana@customer.example"]


def test_a_421_is_retried_by_the_step_s_rule_and_the_email_is_sent_once(
    harness: Harness, smtp: SmtpServer
) -> None:
    smtp.mailbox.data_replies.append("421 4.7.0 Too many messages, slow down")

    run = harness.start("welcome", {"customer": "C-1042", "email": "ana@customer.example"})
    assert run.status == "waiting_timer"
    assert smtp.mailbox.delivered == []

    harness.advance(dt.timedelta(minutes=1))

    assert harness.run(run.id).status == "completed"
    assert len(smtp.mailbox.delivered) == 1


def test_a_550_is_handed_to_a_person_with_the_server_s_words(
    harness: Harness, smtp: SmtpServer
) -> None:
    smtp.mailbox.refused_recipients["ana@customer.example"] = "550 5.1.1 Mailbox does not exist"

    run = harness.start("welcome", {"customer": "C-1042", "email": "ana@customer.example"})

    assert run.status == "escalated"
    (alert,) = [message for message in harness.chat.alerts() if message.to == "U04LEE"]
    assert alert.card is not None
    fields = dict(alert.card.fields)
    assert fields["Why"] == "The welcome email could not be sent"
    assert fields["What happened"] == (
        f"email.send in send failed: the SMTP server 127.0.0.1:{smtp.port} refused every "
        "recipient (ana@customer.example: 550 5.1.1 Mailbox does not exist)"
    )
    assert smtp.mailbox.delivered == []
