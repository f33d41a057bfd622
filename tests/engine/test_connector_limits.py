"""Each namespace has its own bounded lane of tool threads: a hung Jira holds only Jira's
lane, runs on other tools go on, and a Jira call beyond the limit is refused at once as
retryable and goes through on its retry once Jira answers again."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.harness import Harness
from storage import audit
from tests.engine import hanging_tool
from tests.engine.conftest import MakeHarness

WAIT = 10.0
"""Seconds a test waits for another thread before failing."""

TRIAGE = """\
    id: triage
    title: Triage a bug
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: triage}
    inputs:
      key: {type: string}
    permissions:
      allow: [jira.get_issue]
    escalation:
      to: [U04LEE]
    steps:
      - id: read
        action: jira.get_issue
        with: {key: "{{ inputs.key }}"}
        save_as: issue
        on_failure:
          retry: {attempts: 3, backoff: 1s}
          then: escalate
      - id: done
        end: completed
        message: "{{ issue.key }} is {{ issue.status }}"
"""

LOOK_UP = """\
    id: look-up
    title: Look up an order
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: look-up}
    inputs:
      order_id: {type: string}
    permissions:
      allow: [crm.get_order]
    escalation:
      to: [U04LEE]
    steps:
      - id: read
        action: crm.get_order
        with: {order_id: "{{ inputs.order_id }}"}
        save_as: order
        on_failure: {then: escalate}
      - id: done
        end: completed
        message: "order {{ order.id }} is {{ order.status }}"
"""


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[hanging_tool.Gate]:
    fresh = hanging_tool.Gate()
    monkeypatch.setattr(hanging_tool, "GATE", fresh)
    yield fresh
    fresh.released.set()  # never leave a tool thread hanging after a failed test


@pytest.fixture
def harness(make_harness: MakeHarness, gate: hanging_tool.Gate) -> Iterator[Harness]:
    """Jira is the hung tool (one call in flight at most); the CRM is the sandbox's."""
    settings = Settings.model_construct(
        connector={"jira": "tests.engine.hanging_tool:connect"}, connector_limits={"jira": 1}
    )
    yield make_harness(TRIAGE, LOOK_UP, settings=settings)
    gate.released.set()  # before the harness closes: its tool thread must end


def test_a_hung_tool_holds_only_its_own_namespace(
    harness: Harness, gate: hanging_tool.Gate
) -> None:
    first: dict[str, str] = {}

    def start_hung_run() -> None:
        first["id"] = harness.start("triage", {"key": "BUG-7"}).id

    hung = threading.Thread(target=start_hung_run)
    hung.start()
    assert gate.entered.acquire(timeout=WAIT), "the first Jira call never reached the tool"

    other = harness.start("look-up", {"order_id": "1042"})
    assert other.status == "completed", other.reason
    assert any("order 1042 is delivered" in post.text for post in harness.chat.posted)

    second = harness.start("triage", {"key": "BUG-8"})
    assert second.status == "waiting_timer", second.reason
    assert gate.calls == 1, "the second Jira call must not reach the hung tool"
    with harness.database.session() as session:
        refusals = [
            entry.reason
            for entry in audit.recent(session)
            if entry.run_id == second.id and entry.action == "jira.get_issue"
        ]
    assert refusals == [
        "jira has 1 call in flight, its limit (SOPBOT_CONNECTOR_LIMIT, or "
        "SOPBOT_CONNECTOR_LIMITS_JIRA); not sent, retried shortly"
    ]

    gate.released.set()
    hung.join(WAIT)
    assert not hung.is_alive()
    assert harness.run(first["id"]).status == "completed"

    harness.advance(dt.timedelta(seconds=6))
    retried = harness.run(second.id)
    assert retried.status == "completed", retried.reason
    assert gate.calls == 2
    assert any("BUG-8 is Open" in post.text for post in harness.chat.posted)


def test_each_namespace_gets_the_default_limit_unless_it_has_its_own(
    make_harness: MakeHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPBOT_CONNECTOR_LIMIT", "2")
    monkeypatch.setenv("SOPBOT_CONNECTOR_LIMITS_JIRA", "1")
    monkeypatch.setenv("SOPBOT_CONNECTOR_CRM", "sandbox")
    settings = Settings()
    assert settings.connector == {"crm": "sandbox"}, "limits are not connector choices"
    lanes = make_harness(settings=settings).engine.runtime.pool
    assert (lanes.limit("jira"), lanes.limit("crm"), lanes.limit("email")) == (1, 2, 2)
