"""No side effect twice: a process that dies during a call is noticed after restart; the
call is repeated only when repeating is safe, otherwise the run escalates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import views
from bot.catalogue.operation import Operation
from bot.connectors.sandbox.tools import SandboxTools
from bot.engine.invariants import stuck_runs
from bot.harness import Harness
from storage import journal
from storage.models import SopVersion, Timer
from tests.engine.conftest import MakeHarness

POST = """\
    id: announce
    title: Announce
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: announce}
    inputs:
      order_id: {type: string}
    permissions:
      allow: [jira.add_comment, crm.refund]
    escalation:
      to: [U04LEE]
    steps:
      - id: pay
        action: crm.refund
        with: {order_id: "{{ inputs.order_id }}", amount: 10, reason: "goodwill"}
        on_failure: {then: escalate}
      - id: post
        action: jira.add_comment
        with: {key: BUG-100, body: "Refunded {{ inputs.order_id }}"}
        on_failure: {then: escalate}
      - id: done
        end: completed
"""


class ProcessDied(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler sees it."""


class DiesAfterActing:
    """The sandbox, but the process dies right after the tool performed ``operation`` (or,
    with ``acting=False``, right before it would)."""

    def __init__(self, tools: SandboxTools, operation: str, *, acting: bool = True) -> None:
        self.tools, self.operation, self.acting = tools, operation, acting
        self.namespaces = tools.namespaces

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> Any:
        if operation.name == self.operation and not self.acting:
            raise ProcessDied
        result = self.tools.invoke(operation, arguments, idempotency_key=idempotency_key)
        if operation.name == self.operation:
            raise ProcessDied
        return result


def _crash_during(
    harness: Harness, operation: str, sop: str = "announce", inputs: dict[str, Any] | None = None
) -> str:
    """Start ``sop``; the process dies right after the tool performed ``operation``, and a
    new one (same database, new worker name) takes over. The run's id."""
    dying = DiesAfterActing(harness.tools, operation)
    harness.engine.runtime.connectors = dict.fromkeys(harness.tools.namespaces, dying)  # type: ignore[arg-type]
    with pytest.raises(ProcessDied):
        harness.start(sop, inputs or {"order_id": "1043"})
    (run,) = views.history(harness.database)
    harness.engine.runtime.connectors = dict.fromkeys(harness.tools.namespaces, harness.tools)
    harness.engine.runtime.worker_id = "restarted"
    return run.id


def test_an_interrupted_write_that_cannot_be_repeated_escalates_as_maybe_done(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(POST)
    run_id = _crash_during(harness, "jira.add_comment")
    harness.engine.run_due()
    assert harness.run(run_id).status != "escalated", "the dead worker's lease still holds"
    harness.advance(dt.timedelta(seconds=61))
    finished = harness.run(run_id)
    assert finished.status == "escalated"
    assert "may or may not have happened" in (finished.reason or "")
    assert len(harness.tool_calls("jira.add_comment")) == 1
    with harness.database.session() as session:
        statuses = [
            (record.step_id, record.status) for record in journal.steps_for_run(session, run_id)
        ]
    assert ("post", "unknown") in statuses


def test_an_interrupted_write_with_an_idempotency_key_is_repeated_safely(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(POST)
    run_id = _crash_during(harness, "crm.refund")
    harness.advance(dt.timedelta(seconds=61))
    assert harness.run(run_id).status == "completed"
    assert len(harness.tool_calls("crm.refund")) == 1, (
        "the repeated call reused the key, the tool ignored it"
    )
    assert len(harness.tool_calls("jira.add_comment")) == 1


READ_THEN_PAY = """\
    id: refund-once
    title: Refund once
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: refund-once}
    inputs:
      order_id: {type: string}
    permissions:
      allow: [crm.get_order, crm.refund, email.send]
    escalation:
      to: [U04LEE]
    steps:
      - id: look_up
        action: crm.get_order
        with: {order_id: "{{ inputs.order_id }}"}
        save_as: order
        on_failure: {then: escalate}
      - id: check
        decide:
          - when: order.refunded > 0
            goto: nothing_to_do
        otherwise: pay
      - id: pay
        action: crm.refund
        with: {order_id: "{{ order.id }}", amount: 10, reason: "goodwill"}
        idempotency_key: "refund-{{ order.id }}-{{ run.id }}"
        save_as: refunded
        on_failure: {then: escalate}
      - id: tell
        action: email.send
        with:
          to: ["{{ order.customer_email }}"]
          subject: "Your refund"
          body: "We refunded {{ refunded.amount }}."
        on_failure: {then: escalate}
      - id: done
        end: completed
      - id: nothing_to_do
        end: cancelled
        message: already refunded; nothing to do
"""


def test_a_keyed_write_done_just_before_a_crash_stays_on_record_and_on_its_path(
    make_harness: MakeHarness,
) -> None:
    """The refund reached the tool, then the process died before anything else was saved.
    The restarted run must not re-read the order, see it refunded and take another path:
    it resumes at the refund, repeats it with the same key, and emails the customer."""
    harness = make_harness(READ_THEN_PAY)
    run_id = _crash_during(harness, "crm.refund", "refund-once")

    harness.advance(dt.timedelta(seconds=61))

    finished = harness.run(run_id)
    assert (finished.status, finished.reason) == ("completed", None)
    assert len(harness.tool_calls("crm.refund")) == 1, "the key kept the tool from refunding twice"
    assert len(harness.tool_calls("email.send")) == 1, "the customer is told"
    with harness.database.session() as session:
        calls = [(r.step_id, r.status) for r in journal.steps_for_run(session, run_id)]
    assert calls == [
        ("look_up", "succeeded"),
        ("pay", "interrupted"),
        ("pay", "succeeded"),
        ("tell", "succeeded"),
    ]
    audited = [
        (event.action, event.outcome) for event in views.audit_trail(harness.database, run_id)
    ]
    assert ("crm.refund", "succeeded") in audited


def test_a_run_whose_stored_version_broke_is_escalated_without_its_details(
    make_harness: MakeHarness,
) -> None:
    """An internal error (here the run's pinned SOP text was damaged in the database) closes
    the timer and escalates the run in one go; people are told the kind of error and where
    its details are, never the error's own text (SQL, the SOP, the run's state)."""
    harness = make_harness(POST)
    run = harness.engine.start("announce", {"order_id": "1043"}, inline=False)
    with harness.database.session() as session:
        session.execute(
            update(SopVersion)
            .where(SopVersion.content_hash == run.sop_hash)
            .values(source="steps: [unclosed SECRET-STATE")
        )
    restarted = Harness.open(harness.database, [], worker_id="restarted")  # a new process
    try:
        restarted.engine.runtime.library = harness.engine.runtime.library
        restarted.engine.run_due()
        finished = restarted.run(run.id)
        assert finished.status == "escalated"
        assert "internal error (UnknownProcedure; error " in (finished.reason or "")
        alerts = [message.text for message in restarted.chat.alerts()]
        assert any(run.id in text and "internal error" in text for text in alerts), alerts
        assert not any("SECRET-STATE" in text or "SELECT" in text for text in alerts)
        audited = [(e.action, e.outcome) for e in views.audit_trail(restarted.database, run.id)]
        assert ("timer.advance", "error") in audited
        with harness.database.session() as session:
            assert stuck_runs(session) == []
            open_timers = session.scalars(select(Timer).where(Timer.status != "done")).all()
        assert [t.kind for t in open_timers if t.kind != "notify"] == []
    finally:
        restarted.close()
