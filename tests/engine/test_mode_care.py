"""Care only tightens at run time (DESIGN promise 10): a starter may run a procedure more
carefully than its mode (autonomous → assist → shadow), never less, whichever way the mode
reaches the run; only the SOP's owners change its mode (tests/engine/test_set_mode.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app.commands.service import CommandService
from bot.app.door import FrontDoor
from bot.engine.errors import EngineError
from bot.harness import Harness
from storage import audit, runs
from tests.engine.conftest import MakeHarness, refund_sop

ANNOUNCE = """\
    id: announce
    title: Announce a won deal
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: MODE
    trigger:
      command: announce
      events: [{source: crm, type: deal.won}]
    permissions:
      allow: [slack.post]
    escalation:
      to: [U04LEE]
    steps:
      - id: post
        action: slack.post
        with: {channel: "#ops", text: "We won a deal"}
        on_failure: {then: skip}
      - id: done
        end: completed
"""

Start = Callable[[Harness, str], object]


def _by_command(harness: Harness, mode: str) -> object:
    reply = CommandService(FrontDoor(harness.engine, harness.directory, harness.chat)).handle(
        f"/sop run announce --mode={mode}", "U02DEV"
    )
    assert not reply.ok, reply.text
    return reply.text


def _by_engine(harness: Harness, mode: str) -> object:
    with pytest.raises(EngineError) as refused:
        harness.engine.start("announce", {}, started_by="U02DEV", mode=mode)
    return str(refused.value)


def _by_event(harness: Harness, mode: str) -> object:
    started = harness.engine.starter.start_from_event(
        "crm", "deal.won", {"deal": "D-1"}, key="deal-1", mode=mode
    )
    assert started == []
    return None


@pytest.mark.parametrize("start", [_by_command, _by_engine, _by_event])
@pytest.mark.parametrize(
    ("sop_mode", "asked"),
    [("assist", "autonomous"), ("shadow", "assist"), ("shadow", "autonomous")],
)
def test_nobody_starts_a_run_less_carefully_than_its_procedure_says(
    make_harness: MakeHarness, start: Start, sop_mode: str, asked: str
) -> None:
    harness = make_harness(ANNOUNCE.replace("MODE", sop_mode))
    answer = start(harness, asked)
    if answer is not None:
        assert f"announce runs in {sop_mode} mode" in str(answer)
        assert f"--mode={asked} would make it less careful" in str(answer)
        assert f"its owner <@U01MARIA> changes its mode, with /sop mode announce {asked}" in str(
            answer
        )
    harness.engine.run_due()
    assert harness.tool_calls() == [], "nothing reached a tool"
    assert [message for message in harness.chat.posted if "We won" in message.text] == []
    with harness.database.session() as session:
        assert runs.list_runs(session) == []
        (refusal,) = [
            event
            for event in audit.recent(session)
            if event.action == "run.start" and event.outcome == "refused"
        ]
    assert refusal.detail["sop"] == "announce"
    assert refusal.detail["asked_mode"] == asked
    assert refusal.detail["mode"] == sop_mode
    allowed = {"assist": ["assist", "shadow"], "shadow": ["shadow"]}[sop_mode]
    assert refusal.detail["allowed_modes"] == allowed
    assert refusal.actor == ("sopbot" if start is _by_event else "U02DEV")


def test_the_refund_from_the_issue_keeps_its_one_click_confirmations(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(refund_sop(**{"mode: autonomous": "mode: assist"}))
    service = CommandService(FrontDoor(harness.engine, harness.directory, harness.chat))
    reply = service.handle(
        "/sop run refund order_id=1043 reason=damaged --mode=autonomous", "U02DEV"
    )
    assert not reply.ok
    assert "refund runs in assist mode" in reply.text
    assert "(--mode=shadow)" in reply.text, "the refusal says what the starter may ask for"
    assert harness.tool_calls() == []


@pytest.mark.parametrize(
    ("sop_mode", "asked"),
    [("autonomous", "assist"), ("autonomous", "shadow"), ("assist", "shadow")],
)
def test_a_starter_may_run_a_procedure_more_carefully(
    make_harness: MakeHarness, sop_mode: str, asked: str
) -> None:
    harness = make_harness(ANNOUNCE.replace("MODE", sop_mode))
    reply = CommandService(FrontDoor(harness.engine, harness.directory, harness.chat)).handle(
        f"/sop run announce --mode={asked}", "U02DEV"
    )
    assert reply.ok, reply.text
    with harness.database.session() as session:
        (run,) = runs.list_runs(session)
    assert run.mode == asked
    harness.engine.run_due()
    assert harness.tool_calls() == [], "assist waits for a click and shadow only records"
