"""Promise 7: secrets are masked where records and messages are written, error text
included, not left to each caller.

A run reads a configured secret and a secret input, survives a restart, passes both to a
tool, fails a lookup whose error echoes both, and escalates with a handoff. Then every
column of every row of every table, every chat message and every log line is searched for
the two values: none may hold either.
"""

from __future__ import annotations

import datetime as dt
import logging
import stat
import textwrap
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.audit.masking import MASK
from bot.catalogue.operation import Operation
from bot.connectors.sandbox.tools import SandboxTools
from bot.harness import Harness
from bot.procedure.loader import load_text
from bot.secrets import SecretsKeyMissing, is_sealed
from storage.database import Database
from storage.models import Base

PORTAL_KEY = "portal-key-7Q2m9Xw4"
PASSWORD = "Hunter2-correct-horse"

RESET = textwrap.dedent(
    """\
    id: portal-reset
    title: Reset a portal account
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: portal-reset}
    inputs:
      account: {type: string}
      password: {type: string, secret: true}
    permissions:
      allow: [http.request]
    escalation:
      to: [U04LEE]
    steps:
      - id: settle
        wait: {for: 1h}
      - id: reset
        action: http.request
        with:
          method: POST
          url: https://portal.example/reset
          headers: {X-Api-Key: "{{ secrets.portal_key }}"}
          json: {account: "{{ inputs.account }}", password: "{{ inputs.password }}"}
        save_as: reset
        on_failure: {then: escalate}
      - id: look_up
        action: crm.get_order
        with: {order_id: "{{ inputs.password }}-{{ secrets.portal_key }}"}
        on_failure: {then: escalate}
    """
)


class RecordingTools:
    """The sandbox, remembering the arguments each call reached the tool with."""

    def __init__(self, tools: SandboxTools) -> None:
        self.namespaces = tools.namespaces
        self._tools = tools
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        self.seen.append((operation.name, arguments))
        return self._tools.invoke(operation, arguments, idempotency_key=idempotency_key)


def open_harness(database: Database, key: str) -> Harness:
    loaded = load_text(RESET, "sops/portal-reset.yml")
    assert not loaded.diagnostics, [d.render() for d in loaded.diagnostics]
    return Harness.open(database, [loaded], secrets={"portal_key": PORTAL_KEY}, secrets_key=key)


def every_stored_value(database: Database) -> list[str]:
    """Each cell of each table, as text."""
    cells = []
    with database.session(read_only=True) as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                cells.extend(f"{table.name}: {value!r}" for value in row)
    return cells


def test_no_secret_reaches_a_row_a_message_or_a_log_line(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = Fernet.generate_key().decode()
    first = open_harness(database, key)
    run = first.start("portal-reset", {"account": "acme-7", "password": PASSWORD})
    assert first.run(run.id).status == "waiting_timer"
    messages = list(first.chat.posted)
    first.close()

    restarted = open_harness(database, key)  # the secret input must outlive the process
    tools = RecordingTools(restarted.tools)
    restarted.engine.runtime.connectors = dict.fromkeys(tools.namespaces, tools)
    restarted.advance(dt.timedelta(hours=1))
    messages += restarted.chat.posted
    restarted.close()

    finished = restarted.run(run.id)
    assert finished.status == "escalated", finished.reason
    (reset_arguments,) = [arguments for name, arguments in tools.seen if name == "http.request"]
    assert reset_arguments["headers"] == {"X-Api-Key": PORTAL_KEY}, "the tool gets the secret"
    assert reset_arguments["json"]["password"] == PASSWORD, "and the secret input, decrypted"
    (handoff,) = [message.card for message in messages if message.kind == "alert"]
    assert handoff is not None
    assert ("Input password", MASK) in handoff.fields
    assert ("Input account", "acme-7") in handoff.fields

    leaks = [
        where
        for where in [
            *every_stored_value(database),
            *(repr(message) for message in messages),
            *caplog.messages,
            caplog.text,
        ]
        if PORTAL_KEY in where or PASSWORD in where
    ]
    assert leaks == []


def test_secret_inputs_need_a_key_the_operator_keeps(database: Database) -> None:
    """SQLite makes its own key file beside the database (owner-only); PostgreSQL, shared by
    several processes, refuses a secret input until the operator sets the key."""
    loaded = load_text(RESET, "sops/portal-reset.yml")
    harness = Harness.open(database, [loaded], secrets={"portal_key": PORTAL_KEY})
    given = {"account": "acme-7", "password": PASSWORD}
    if database.dialect == "postgresql":
        with pytest.raises(SecretsKeyMissing, match="the operator must set SOPBOT_SECRETS_KEY"):
            harness.start("portal-reset", given)
        return
    run = harness.start("portal-reset", given)
    assert is_sealed(run.inputs["password"])
    assert run.inputs["account"] == "acme-7"
    key_file = Path(f"{database.url.database}.key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_run_restarted_with_another_key_is_escalated_and_the_log_says_why(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    first = open_harness(database, Fernet.generate_key().decode())
    run = first.start("portal-reset", {"account": "acme-7", "password": PASSWORD})
    first.close()
    restarted = open_harness(database, Fernet.generate_key().decode())
    restarted.advance(dt.timedelta(hours=1))
    restarted.close()
    finished = restarted.run(run.id)
    assert finished.status == "escalated"
    assert "restore the SOPBOT_SECRETS_KEY (or the key file beside the database)" in caplog.text
