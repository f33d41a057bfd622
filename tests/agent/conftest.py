"""Agent-step tests: the real engine on the sandbox tools (SQLite and PostgreSQL, a manual
clock), with the model reached by the real openai client over loopback HTTP against the
scripted fake of tests/llm."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator

import pytest

from bot.engine.invariants import stuck_runs
from bot.harness import Harness
from bot.llm.models import Models
from bot.procedure.loader import load_text
from storage.database import Database
from tests.llm.conftest import fake_openai, models, openai_server, pauses

__all__ = ["fake_openai", "models", "openai_server", "pauses"]

MakeHarness = Callable[..., Harness]

SECRET = "crm-token-7f3a9c2e11"

REFUND = """\
    id: refund
    title: Refund
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: refund}
    inputs:
      order_id: {type: string}
      reason: {type: string}
      ticket_id: {type: string, default: T-501}
    roles:
      finance: [S01FINANCE]
    permissions:
      allow: [crm.refund, email.send]
      never: [crm.get_account]
      limits:
        crm.refund:
          amount: {max: 1000}
        crm.get_order:
          order_id: {pattern: "10[0-9][0-9]"}
    guardrails:
      forbidden_phrases: [guaranteed]
    escalation:
      to: [U04LEE]
    steps:
      - id: gather
        prepare:
          summary: "Refund request on order {{ inputs.order_id }}"
          instructions: Check the order and the ticket; recommend a full refund, a partial one or none.
          reads: [crm.get_order, crm.get_ticket]
          facts:
            Order: "{{ inputs.order_id }}"
            Reason: "{{ inputs.reason }}"
          options: [full_refund, partial_refund, deny]
          draft: the reply to the customer
          max_calls: 4
          budget: 30s
        save_as: package
      - id: look_up
        action: crm.get_order
        with: {order_id: "{{ inputs.order_id }}"}
        save_as: order
        on_failure: escalate
      - id: approve
        approval:
          approvers: [role:finance]
          summary: "Refund {{ order.total }} on {{ order.id }}"
          prepared: package
          timeout: 1d
          on_timeout: escalate
      - id: pay
        action: crm.refund
        with: {order_id: "{{ order.id }}", amount: "{{ order.total }}", reason: "{{ inputs.reason }}"}
        on_failure: escalate
      - id: done
        end: completed
        result: {recommended: "{{ package.recommendation }}"}
"""


@pytest.fixture
def make_harness(database: Database) -> Iterator[MakeHarness]:
    """``make_harness(models=None)`` → a Harness serving REFUND (no model unless given)."""
    opened: list[Harness] = []

    def make(models: Models | None = None, text: str = REFUND) -> Harness:
        loaded = load_text(textwrap.dedent(text), "sops/refund.yml")
        assert not loaded.diagnostics, [d.render() for d in loaded.diagnostics]
        harness = Harness.open(database, [loaded], secrets={"crm_token": SECRET}, models=models)
        opened.append(harness)
        return harness

    yield make
    for harness in opened:
        harness.close()
    with database.session() as session:
        assert stuck_runs(session) == []
