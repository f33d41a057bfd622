"""Engine tests run the real engine on the sandbox tools, on SQLite and PostgreSQL, with a
manual clock. After every test the stuck-run invariant must hold."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator

import pytest

from bot.config import Settings
from bot.engine.invariants import stuck_runs
from bot.harness import Harness
from bot.procedure.loader import LoadedSop, load_text
from storage.database import Database

MakeHarness = Callable[..., Harness]


@pytest.fixture
def make_harness(database: Database) -> Iterator[MakeHarness]:
    """``make_harness(sop_yaml_or_loaded_file, ..., secrets=, settings=)`` → a Harness
    serving those procedures (on the connectors ``settings`` choose, else the sandbox),
    closed after the test."""
    opened: list[Harness] = []

    def make(
        *sops: str | LoadedSop,
        secrets: dict[str, str] | None = None,
        settings: Settings | None = None,
    ) -> Harness:
        files = [
            sop
            if isinstance(sop, LoadedSop)
            else load_text(textwrap.dedent(sop), f"sops/test-{index}.yml")
            for index, sop in enumerate(sops)
        ]
        for loaded in files:
            assert not loaded.diagnostics, [d.render() for d in loaded.diagnostics]
        harness = Harness.open(database, files, secrets=secrets, settings=settings)
        opened.append(harness)
        return harness

    yield make
    for harness in opened:
        harness.close()
    with database.session() as session:
        assert stuck_runs(session) == []


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
    roles:
      finance: [S01FINANCE]
    permissions:
      allow: [crm.refund, email.send]
      limits:
        crm.refund:
          amount: {max: 1000}
    guardrails:
      forbidden_phrases: [guaranteed]
      required_disclosures:
        - text: Refunds take 5 to 10 business days.
          applies_to: [email.send]
    escalation:
      to: [U04LEE]
    steps:
      - id: look_up
        action: crm.get_order
        with: {order_id: "{{ inputs.order_id }}"}
        save_as: order
        on_failure:
          retry: {attempts: 2, backoff: 1m}
          then: escalate
      - id: approve
        when: order.total > 500
        approval:
          approvers: [role:finance]
          summary: "Refund {{ order.total }} on {{ order.id }}"
          facts: {Reason: "{{ inputs.reason }}"}
          timeout: 1d
          on_timeout: escalate
      - id: pay
        action: crm.refund
        with: {order_id: "{{ order.id }}", amount: "{{ order.total }}", reason: "{{ inputs.reason }}"}
        save_as: refunded
        on_failure:
          retry: {attempts: 3, backoff: 30s}
          then: escalate
      - id: tell
        action: email.send
        with:
          to: ["{{ order.customer_email }}"]
          subject: "Refund for {{ order.id }}"
          body: "We refunded {{ refunded.amount }}. Refunds take 5 to 10 business days."
        on_failure: {then: skip}
      - id: done
        end: completed
        message: "refunded {{ refunded.amount }}"
"""


def refund_sop(**replacements: str) -> str:
    """The refund SOP with some lines swapped, e.g. ``mode='shadow'``."""
    text = REFUND
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text
