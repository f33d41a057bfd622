"""The front door records a start and leaves it to the worker, and asks for what is missing
through the surface (a modal in Slack, prompts in the console)."""

from __future__ import annotations

import pytest

from bot.app import views
from bot.app.door import Asked, Started
from bot.chat.messages import QuestionField
from bot.engine.decisions import DecisionResult
from bot.engine.errors import AlreadyStarted, DecisionRefused, EngineError
from tests.app.door import door_of
from tests.engine.conftest import MakeHarness, refund_sop

ASKING = refund_sop(
    **{
        "order_id: {type: string}": "order_id: {type: string, prompt: Order number}",
        "reason: {type: string}": "reason: {type: string, required: false}",
    }
)

PLANNING = """\
    id: plan
    title: Plan a kickoff
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    trigger: {command: plan}
    steps:
      - id: plan
        task:
          assignee: U02DEV
          instructions: "Pick a kickoff date"
          fields:
            kickoff: {type: date, prompt: Kickoff date}
          due: 2d
          on_timeout: escalate
        save_as: plan
      - id: done
        end: completed
        message: "kickoff {{ plan.kickoff }}"
"""


def test_a_start_returns_before_any_step_ran(make_harness: MakeHarness) -> None:
    harness = make_harness(refund_sop())
    started = door_of(harness).start(
        "refund", {"order_id": "1042", "reason": "damaged"}, by="U02DEV"
    )
    assert isinstance(started, Started)
    assert started.title == "Refund"
    detail = views.run_detail(harness.database, started.run.id)
    assert (detail.run.status, detail.cursor, detail.steps) == ("running", "look_up", ())
    assert harness.tool_calls() == []
    assert harness.chat.posted == [], "nothing said yet: the worker has not advanced it"
    harness.engine.run_due()
    assert [step.step_id for step in views.run_detail(harness.database, started.run.id).steps] == [
        "look_up"
    ]


def test_missing_inputs_are_asked_and_the_answers_start_the_run(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(ASKING)
    door = door_of(harness)
    asked = door.start("refund", {}, by="U02DEV", thread={"to": "C02SUPPORT"}, mode="shadow")
    assert isinstance(asked, Asked)
    assert harness.chat.questions == [asked.question]
    question = asked.question
    assert (question.to, question.title, question.action, question.subject) == (
        "U02DEV",
        "Refund",
        "run",
        "refund",
    )
    assert question.fields == (QuestionField("order_id", "Order number"),)
    assert views.history(harness.database) == [], "nothing starts until it is answered"

    with pytest.raises(DecisionRefused, match="that question was for <@U02DEV>, not for you"):
        door.answer(question, "U06ANA", {"order_id": "1043"})
    with pytest.raises(EngineError, match="Nothing was started: order_id still needs an answer"):
        door.answer(question, "U02DEV", {"order_id": ""})
    started = door.answer(question, "U02DEV", {"order_id": "1043"})
    assert isinstance(started, Started)
    assert started.run.mode == "shadow", "the mode asked for is carried through the question"
    assert harness.run(started.run.id).thread == {"to": "C02SUPPORT"}


def test_a_task_is_completed_by_answering_its_question(make_harness: MakeHarness) -> None:
    harness = make_harness(PLANNING)
    door = door_of(harness)
    started = door.start("plan", {}, by="U01MARIA")
    assert isinstance(started, Started)
    harness.engine.run_due()
    (task,) = door.pending()
    asked = door.ask_task(task.id, "U02DEV")
    assert isinstance(asked, Asked)
    assert asked.question.fields == (QuestionField("kickoff", "Kickoff date", kind="date"),)
    completed = door.answer(asked.question, "U02DEV", {"kickoff": "2026-12-01"})
    assert isinstance(completed, DecisionResult)
    assert completed.message == f"Completed {task.id}."
    harness.engine.run_due()
    assert harness.run(started.run.id).reason == "kickoff 2026-12-01"


def test_the_same_request_never_starts_two_runs(make_harness: MakeHarness) -> None:
    """A worker that takes a recorded request over after a crash (the run was committed, the
    request not yet marked done) does it again: the second start is refused, not doubled."""
    harness = make_harness(refund_sop())
    door = door_of(harness)
    given = {"order_id": "1042", "reason": "damaged"}
    first = door.start("refund", given, by="U02DEV", request="inbound:7")
    with pytest.raises(AlreadyStarted, match="already started a run of Refund"):
        door.start("refund", given, by="U02DEV", request="inbound:7")

    assert isinstance(first, Started)
    assert [run.id for run in views.history(harness.database)] == [first.run.id]
    assert isinstance(door.start("refund", given, by="U02DEV", request="inbound:8"), Started)
