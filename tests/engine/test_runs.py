"""A run goes from start to its end state, step by step, on the real sandbox tools."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import views
from bot.engine.timers.context import TimerContext
from storage import inbound, timers
from storage.models import Timer
from tests.engine.conftest import REFUND, MakeHarness, refund_sop


def test_a_small_refund_runs_to_completion_and_writes_once_at_each_tool(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(REFUND)
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"})
    assert run.status == "completed"
    assert run.reason == "refunded 120.0"
    assert [call.operation for call in harness.tool_calls()] == ["crm.refund", "email.send"]
    email = harness.tool_calls("email.send")[0]
    assert "Refunds take 5 to 10 business days." in email.arguments["body"]


def test_unknown_procedure_and_bad_inputs_are_refused_before_anything_runs(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(REFUND)
    import pytest

    from bot.engine.errors import InvalidInputs
    from bot.library import UnknownProcedure

    with pytest.raises(UnknownProcedure, match="no procedure called 'refnd'"):
        harness.start("refnd", {})
    with pytest.raises(InvalidInputs, match="no input colour"):
        harness.start("refund", {"order_id": "1043", "reason": "x", "colour": "red"})
    with pytest.raises(InvalidInputs, match="reason is required"):
        harness.start("refund", {"order_id": "1043"})
    assert views.history(harness.database) == []


def test_a_run_keeps_the_version_it_started_with(make_harness: MakeHarness) -> None:
    harness = make_harness(REFUND)
    run = harness.start("refund", {"order_id": "1042", "reason": "damaged"})  # 640 needs approval
    assert run.status == "waiting_approval"
    edited = make_harness(
        refund_sop(**{'message: "refunded': 'message: "v2 refunded', "version: 1": "version: 2"})
    )
    fresh = edited.start("refund", {"order_id": "1043", "reason": "late"})
    assert fresh.reason == "v2 refunded 120.0"
    (approval,) = harness.pending(run.id)
    harness.decide(approval.id, "U03SAM", "approve")
    finished = harness.run(run.id)
    assert finished.status == "completed"
    assert finished.reason == "refunded 640.0"
    assert finished.sop_hash != fresh.sop_hash


def test_a_tool_outage_is_retried_with_backoff_then_succeeds(make_harness: MakeHarness) -> None:
    from bot.connectors.base import ToolError

    harness = make_harness(REFUND)
    harness.tools.fail_next("crm.get_order", ToolError("CRM is down", retryable=True), times=2)
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"})
    assert run.status == "waiting_timer"
    harness.advance(dt.timedelta(seconds=59))
    assert harness.run(run.id).status == "waiting_timer"
    harness.advance(dt.timedelta(seconds=1))  # first retry after 1m fails again; next after 2m
    assert harness.run(run.id).attempt == 2
    harness.advance(dt.timedelta(minutes=2))
    assert harness.run(run.id).status == "completed"


def test_retries_run_out_and_the_run_escalates_with_a_handoff(make_harness: MakeHarness) -> None:
    from bot.connectors.base import ToolError

    harness = make_harness(REFUND)
    harness.tools.fail_next("crm.get_order", ToolError("CRM is down", retryable=True), times=3)
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"})
    harness.advance(dt.timedelta(minutes=1))
    harness.advance(dt.timedelta(minutes=2))
    finished = harness.run(run.id)
    assert finished.status == "escalated"
    assert "CRM is down" in (finished.reason or "")
    (alert,) = harness.chat.to("U04LEE")
    assert alert.card is not None
    fields = dict(alert.card.fields)
    assert fields["Input order_id"] == "1043"
    assert harness.tool_calls() == []


def test_a_failed_optional_step_is_skipped_by_its_rule(make_harness: MakeHarness) -> None:
    from bot.connectors.base import ToolError

    harness = make_harness(REFUND)
    harness.tools.fail_next("email.send", ToolError("mailbox full", retryable=False))
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"})
    assert run.status == "completed"
    assert [call.operation for call in harness.tool_calls()] == ["crm.refund"]


DATED = """\
    id: dated
    title: Dated
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: dated}
    inputs:
      start: {type: date}
    steps:
      - id: plan
        task:
          assignee: U02DEV
          instructions: "Pick a kickoff date after {{ inputs.start }}"
          fields:
            kickoff: {type: date}
          due: 2d
          on_timeout: escalate
        save_as: plan
      - id: read_invoice
        action: crm.get_invoice
        with: {invoice_id: INV-2001}
        save_as: invoice
      - id: check
        decide:
          - when: "plan.kickoff > inputs.start and invoice.due_date < today"
            goto: in_order
        otherwise: out_of_order
      - id: in_order
        end: completed
        message: "kickoff {{ plan.kickoff }}, {{ (plan.kickoff - inputs.start).days }} days after the start"
      - id: out_of_order
        end: failed
"""


def test_dates_from_inputs_tasks_and_tools_compare_as_dates_after_a_pause(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(DATED)
    run = harness.start("dated", {"start": "2026-11-23"})
    (task,) = harness.pending(run.id)
    harness.advance(dt.timedelta(hours=5))
    harness.complete(task.id, "U02DEV", {"kickoff": "2026-12-01"})
    finished = harness.run(run.id)
    assert finished.status == "completed", finished.reason
    assert finished.reason == "kickoff 2026-12-01, 8 days after the start"


def test_a_layer_above_the_engine_has_its_own_due_work_done_by_the_workers(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(REFUND)
    seen: list[dict[str, object]] = []

    def handle(ctx: TimerContext, timer: Timer) -> None:
        seen.append(timer.payload)
        ctx.complete(timer)

    harness.engine.worker.register("inbound", handle)
    with harness.database.session() as session:
        timers.schedule(
            session,
            kind="inbound",
            due_at=harness.clock.now(),
            now=harness.clock.now(),
            payload={"op": "run"},
        )
    harness.engine.run_due()
    harness.engine.run_due()
    assert seen == [{"op": "run"}], "done once, by the worker"
    with pytest.raises(ValueError, match="already has a handler"):
        harness.engine.worker.register("advance", lambda _ctx, _timer: None)


def _won(sop_id: str) -> str:
    return f"""\
    id: {sop_id}
    title: On a won deal ({sop_id})
    owner: U01MARIA
    version: 1
    review: {{every: 365d, last_reviewed: 2026-11-01}}
    mode: autonomous
    trigger:
      events: [{{source: crm, type: deal.won}}]
    steps:
      - id: done
        end: completed
"""


def test_an_event_handled_again_starts_each_matching_procedure_once(
    make_harness: MakeHarness,
) -> None:
    """An event redone after a crash (some of its runs started, not all) starts the missing
    ones and none twice: each run remembers the event in its own start transaction."""
    harness = make_harness(_won("welcome"), _won("invoice"))
    with harness.database.session() as session:  # as if "welcome" started before the crash
        inbound.remember(
            session, key="start:deal-1:welcome", source="start", at=harness.clock.now()
        )

    first = harness.engine.starter.start_from_event(
        "crm", "deal.won", {"deal": "D-1"}, key="deal-1"
    )
    again = harness.engine.starter.start_from_event(
        "crm", "deal.won", {"deal": "D-1"}, key="deal-1"
    )

    assert [run.sop_id for run in first] == ["invoice"]
    assert again == []
