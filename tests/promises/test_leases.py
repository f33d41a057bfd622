"""Promise 1 with leases: a lease is renewed while its work is in flight, a holder whose
lease was taken over is fenced (its commits are refused), and a run that keeps stopping
workers is set aside instead of being passed on.

Two engines on one database stand for two worker processes. The first one's tool call is
held inside the tool (a gate the test opens), so its lease can run out mid-step exactly
when the test says.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import views
from bot.catalogue.operation import Operation
from bot.connectors.sandbox.tools import SandboxTools
from bot.engine.invariants import stuck_runs
from bot.harness import Harness
from bot.procedure.loader import LoadedSop, load_text
from storage import journal
from storage.database import Database
from storage.models import Timer
from tests.engine.test_recovery import DiesAfterActing, ProcessDied

WAIT = 10.0
"""Seconds to wait for the held call to reach the tool, or for a thread to finish."""
PAST_THE_LEASE = dt.timedelta(seconds=61)
PAY_THEN_TELL = """\
id: pay-then-tell
title: Pay, then tell
owner: U01MARIA
version: 1
review: {every: 365d, last_reviewed: 2026-11-01}
mode: autonomous
trigger: {command: pay-then-tell}
permissions:
  allow: [crm.refund, email.send, slack.post]
escalation:
  to: [U04LEE]
steps:
  - id: pay
    action: crm.refund
    with: {order_id: "1043", amount: 10, reason: "goodwill"}
    idempotency_key: "pay-{{ run.id }}"
    timeout: 5m
    on_failure: {then: escalate}
  - id: tell
    action: slack.post
    with: {channel: "#ops", text: "{{ run.id }} paid"}
    on_failure: {then: escalate}
  - id: done
    end: completed
"""


class HeldTool:
    """The sandbox, but the first call of ``operation`` waits at the tool's door until the
    test opens the gate (a slow tool, or a worker paused mid-call)."""

    def __init__(self, tools: SandboxTools, operation: str) -> None:
        self.tools, self.operation = tools, operation
        self.namespaces = tools.namespaces
        self.arrived = threading.Event()
        self.gate = threading.Event()

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> Any:
        if operation.name == self.operation and not self.arrived.is_set():
            self.arrived.set()
            assert self.gate.wait(WAIT), "the test never opened the gate"
        return self.tools.invoke(operation, arguments, idempotency_key=idempotency_key)


@pytest.fixture
def sop() -> list[LoadedSop]:
    loaded = load_text(PAY_THEN_TELL, "sops/pay-then-tell.yml")
    assert not loaded.diagnostics
    return [loaded]


@pytest.fixture
def engines(database: Database, sop: list[LoadedSop]) -> Iterator[tuple[Harness, Harness]]:
    first = Harness.open(database, sop, worker_id="first")
    second = Harness.open(database, sop, worker_id="second")
    yield first, second
    first.close()
    second.close()
    with database.session() as session:
        assert stuck_runs(session) == []


def _in_thread(work: Any) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def body() -> None:
        try:
            work()
        except BaseException as error:  # reported to the test, not lost in the thread
            errors.append(error)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, errors


def test_a_worker_whose_lease_was_taken_over_mid_call_is_fenced(
    engines: tuple[Harness, Harness],
) -> None:
    first, second = engines
    held = HeldTool(first.tools, "crm.refund")
    first.engine.runtime.connectors = dict.fromkeys(first.tools.namespaces, held)  # type: ignore[arg-type]
    thread, errors = _in_thread(lambda: first.start("pay-then-tell"))
    assert held.arrived.wait(WAIT), "the first worker never reached the tool"

    second.advance(PAST_THE_LEASE)  # the first worker's lease ran out: the second takes over
    (run,) = views.history(second.database)
    assert second.run(run.id).status == "completed"
    held.gate.set()  # the first worker wakes up, its call answers, and it tries to go on
    thread.join(WAIT)
    assert not thread.is_alive()
    assert errors == []

    assert len(second.tool_calls("crm.refund")) == 1, "the key made the repeated call harmless"
    assert len(second.tool_calls("slack.post")) == 1, "the fenced worker posted nothing"
    with second.database.session() as session:
        calls = [(r.step_id, r.status) for r in journal.steps_for_run(session, run.id)]
    assert calls == [("pay", "interrupted"), ("pay", "succeeded"), ("tell", "succeeded")]
    assert second.run(run.id).status == "completed"


def test_a_lease_is_renewed_while_a_slow_call_is_in_flight(
    database: Database, sop: list[LoadedSop]
) -> None:
    first = Harness.open(database, sop, worker_id="first")
    second = Harness.open(database, sop, worker_id="second")
    try:
        first.engine.runtime.lease = dt.timedelta(seconds=0.3)  # renewed every 0.1 s
        held = HeldTool(first.tools, "crm.refund")
        first.engine.runtime.connectors = dict.fromkeys(first.tools.namespaces, held)  # type: ignore[arg-type]
        thread, errors = _in_thread(lambda: first.start("pay-then-tell"))
        assert held.arrived.wait(WAIT)
        start_lease = _lease_of(_advance_timer(database))
        first.clock.advance(dt.timedelta(seconds=10))  # the call outlives its first lease
        renewed = _wait_for(lambda: _lease_of(_advance_timer(database)) > start_lease)
        assert renewed, "nobody renewed the lease while the tool was working"
        second.clock.advance(dt.timedelta(seconds=10))
        second.engine.run_due()
        assert _advance_timer(database).claimed_by == "first", "a renewed lease keeps the run"
        held.gate.set()
        thread.join(WAIT)
        assert errors == []
        (run,) = views.history(first.database)
        assert first.run(run.id).status == "completed"
        assert len(first.tool_calls("crm.refund")) == 1
    finally:
        first.close()
        second.close()


def test_a_run_that_keeps_stopping_workers_is_set_aside(
    engines: tuple[Harness, Harness], database: Database
) -> None:
    first, second = engines
    dying = DiesAfterActing(first.tools, "crm.refund", acting=False)
    first.engine.runtime.connectors = dict.fromkeys(first.tools.namespaces, dying)  # type: ignore[arg-type]
    with pytest.raises(ProcessDied):
        first.start("pay-then-tell")
    for _ in range(2):  # each new worker dies on the same call, its lease runs out
        first.engine.runtime.worker_id = f"{first.engine.runtime.worker_id}+"
        with pytest.raises(ProcessDied):
            first.advance(PAST_THE_LEASE)
    second.clock.advance(first.clock.now() - second.clock.now() + PAST_THE_LEASE)
    second.engine.run_due()

    (run,) = views.history(second.database)
    finished = second.run(run.id)
    assert finished.status == "escalated"
    assert "set aside after it stopped 3 workers" in (finished.reason or "")
    assert "(crm.refund) may or may not have happened: check the tool" in (finished.reason or "")
    assert second.tool_calls("crm.refund") == [], "nothing more was tried"
    with database.session() as session:
        calls = [r.status for r in journal.steps_for_run(session, run.id) if r.step_id == "pay"]
    # each death's call was closed by the next worker; the last, in flight when the run was
    # set aside, is closed as maybe done rather than left started
    assert calls == ["interrupted", "interrupted", "unknown"]
    alerts = [message.text for message in second.chat.alerts()]
    assert any(run.id in text and "set aside" in text for text in alerts), alerts
    audited = [
        (event.action, event.outcome) for event in views.audit_trail(second.database, run.id)
    ]
    assert ("timer.advance", "quarantined") in audited


def _advance_timer(database: Database) -> Timer:
    with database.session(read_only=True) as session:
        return session.scalars(select(Timer).where(Timer.kind == "advance")).one()


def _lease_of(timer: Timer) -> dt.datetime:
    assert timer.lease_until is not None
    return timer.lease_until


def _wait_for(condition: Any, timeout: float = WAIT) -> bool:
    """Poll ``condition`` until it holds; False if ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        threading.Event().wait(0.02)
    return True
