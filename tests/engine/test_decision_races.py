"""One decision per approval when people click at the same moment (DESIGN promise 4).

These really race: threads on one engine, on SQLite and PostgreSQL. Votes of an N-of-M are
counted under the approval's lock, decide and cancel take their locks in one order, and a
crowd of clicks neither exhausts the connection pool nor waits behind a directory lookup.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from bot.engine.errors import DecisionRefused
from bot.harness import Harness
from storage.models import Approval, Run
from tests.engine.conftest import MakeHarness

log = logging.getLogger(__name__)

T = TypeVar("T")

SIGN_OFF = """\
    id: sign-off
    title: Sign off
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: sign-off}
    escalation:
      to: [U04LEE]
    steps:
      - id: approve
        approval:
          approvers: [APPROVERS]
          required: REQUIRED
          summary: "Sign off the release"
          timeout: 1d
          on_timeout: escalate
      - id: done
        end: completed
        message: signed off
"""
SIX = ["U03SAM", "U01MARIA", "U05VP", "U04LEE", "U06ANA", "U07KAI"]


def _sign_off(make_harness: MakeHarness, approvers: str, required: int) -> Harness:
    return make_harness(SIGN_OFF.replace("APPROVERS", approvers).replace("REQUIRED", str(required)))


def _waiting(harness: Harness) -> tuple[Run, Approval]:
    run = harness.start("sign-off", {})
    (approval,) = harness.pending(run.id)
    return run, approval


def _at_once(*calls: Callable[[], T]) -> list[T | DecisionRefused]:
    """Run every call in its own thread, released together; each answer or refusal."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T | DecisionRefused:
        barrier.wait(timeout=10)
        try:
            return call()
        except DecisionRefused as refused:
            return refused

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [future.result(timeout=60) for future in futures]


def test_two_approvers_racing_on_a_two_of_six_decide_it(make_harness: MakeHarness) -> None:
    harness = _sign_off(make_harness, ", ".join(SIX), 2)
    for round_ in range(20):
        run, approval = _waiting(harness)
        first, second = SIX[round_ % 6], SIX[(round_ + 1) % 6]
        answers = _at_once(
            partial(harness.engine.decide, approval.id, first, "approve"),
            partial(harness.engine.decide, approval.id, second, "approve"),
        )
        messages = sorted(str(getattr(answer, "message", answer)) for answer in answers)
        assert messages == [f"Approved {approval.id}.", "Recorded your approval (1 of 2)."], (
            f"round {round_}: {messages}"
        )
        assert harness.pending(run.id) == []
        harness.engine.run_due()
        assert harness.run(run.id).status == "completed"


def test_deciding_and_cancelling_at_once_end_one_way_and_the_loser_is_told(
    make_harness: MakeHarness,
) -> None:
    harness = _sign_off(make_harness, "U03SAM", 1)
    for round_ in range(15):
        run, approval = _waiting(harness)
        decided, cancelled = _at_once(
            partial(harness.engine.decide, approval.id, "U03SAM", "approve"),
            partial(harness.engine.cancel, run.id, "U01MARIA", "customer withdrew"),
        )
        harness.engine.run_due()
        final = harness.run(run.id)
        if isinstance(decided, DecisionRefused):  # the cancel came first
            assert final.status == "cancelled"
            assert f"run {run.id} was cancelled by <@U01MARIA> a moment ago" in str(decided)
            assert not isinstance(cancelled, DecisionRefused), cancelled
        else:  # the approval came first; the cancel still stops what follows, or is told
            assert decided.message == f"Approved {approval.id}."
            if isinstance(cancelled, DecisionRefused):
                assert f"run {run.id} already ended (completed)" in str(cancelled)
                assert final.status == "completed"
            else:
                assert final.status == "cancelled", f"round {round_}"


def test_fifty_clicks_on_one_card_make_one_decision_and_49_clear_answers(
    make_harness: MakeHarness,
) -> None:
    harness = _sign_off(make_harness, "S01FINANCE", 1)
    run, approval = _waiting(harness)
    clickers = ["U03SAM", "U01MARIA"] * 25
    seconds: list[float] = []

    def click(user: str) -> Callable[[], str]:
        def timed() -> str:
            began = time.perf_counter()
            try:
                return harness.engine.decide(approval.id, user, "approve").message
            finally:
                seconds.append(time.perf_counter() - began)

        return timed

    answers = _at_once(*(click(user) for user in clickers))
    log.warning("50 clicks: the slowest was answered in %.3f s", max(seconds))
    decided = [answer for answer in answers if answer == f"Approved {approval.id}."]
    refused = [str(answer) for answer in answers if isinstance(answer, DecisionRefused)]
    assert len(decided) == 1
    assert len(refused) == 49, [answer for answer in answers if answer not in decided]
    assert all(
        f"{approval.id} was approved by <@U0" in text and "a moment ago" in text for text in refused
    ), refused
    assert len(seconds) == 50
    assert max(seconds) < 5, f"a click waited {max(seconds):.1f} s"
    harness.engine.run_due()
    assert harness.run(run.id).status == "completed"
