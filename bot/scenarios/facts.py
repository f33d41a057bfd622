"""What happened so far in a scenario, read from where sopbot keeps it: the run and its
saved values, the step journal, the open approvals, the audit log, the sandbox's call log
(the writes "at the tool") and the chat messages sopbot sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.app import views
from bot.chat.messages import Message
from bot.engine.notify import fan_out
from bot.engine.state import read_stored
from bot.harness import Harness
from bot.scenarios.model import NOT_STARTED
from storage import journal
from storage.models import Approval, Run, StepRecord


@dataclass(frozen=True)
class PersonStep:
    """An approval or task step the run reached: ``position`` is the length of its trail
    then, which places the step among the steps the engine records as done."""

    position: int
    step_id: str


@dataclass(frozen=True)
class ToolAction:
    """One write, with its arguments."""

    operation: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Notice:
    """An escalation or an SLA alert: its targets, everyone it reached, and its text."""

    to: tuple[str, ...]
    recipients: frozenset[str]
    text: str


@dataclass(frozen=True)
class Facts:
    """Everything an expectation can check, at one moment of the scenario."""

    run: Run | None
    refusal: str | None
    runs: int
    pending: list[Approval]
    steps: list[str]
    actions: list[ToolAction]
    would_do: list[ToolAction]
    escalations: list[Notice]
    alerts: list[Notice]
    messages: list[Message]
    journal: list[StepRecord]

    @property
    def status(self) -> str:
        return self.run.status if self.run is not None else NOT_STARTED

    @property
    def reason(self) -> str | None:
        return self.run.reason if self.run is not None else self.refusal

    @property
    def saved(self) -> dict[str, Any]:
        values: dict[str, Any] = self.run.state.get("values", {}) if self.run else {}
        return values

    @property
    def result(self) -> dict[str, Any]:
        """The result values the run's end or escalate step set."""
        return read_stored(self.run.state)[1].result if self.run else {}


def gather(
    harness: Harness,
    run_id: str | None,
    runs: int,
    refusal: str | None,
    person_steps: Sequence[PersonStep],
) -> Facts:
    """Read the facts of the run ``run_id`` (None: it never started) and of the tools."""
    actions = [ToolAction(call.operation, call.arguments) for call in harness.tool_calls()]
    messages = list(harness.chat.posted)
    if run_id is None:
        return Facts(None, refusal, runs, [], [], actions, [], [], [], messages, [])
    run = harness.run(run_id)
    with harness.database.session(read_only=True) as session:
        entries = journal.steps_for_run(session, run_id)
    events = views.audit_trail(harness.database, run_id)

    def notice(to: list[str], text: str) -> Notice:
        return Notice(tuple(to), frozenset([*to, *fan_out(to, harness.directory)]), text)

    return Facts(
        run=run,
        refusal=refusal,
        runs=runs,
        pending=harness.pending(run_id),
        steps=steps_reached(run, person_steps),
        actions=actions,
        would_do=[
            ToolAction(entry.operation or "", (entry.request or {}).get("arguments", {}))
            for entry in entries
            if entry.status == "would_do"
        ],
        escalations=[
            notice(event.detail.get("to", []), event.reason or "")
            for event in events
            if event.action == "escalate"
        ],
        alerts=[
            notice(event.detail.get("to", []), event.detail.get("text", ""))
            for event in events
            if event.action == "sla.alert"
        ],
        messages=messages,
        journal=entries,
    )


def steps_reached(run: Run, person_steps: Sequence[PersonStep]) -> list[str]:
    """The steps the run went through, in order: those the engine records as done (not
    those a ``when`` skipped), the approvals and tasks it waited on, and the step it is at
    now or ended at."""
    trail = [entry.model_dump() for entry in read_stored(run.state)[1].trail]
    waiting = sorted(person_steps, key=lambda step: step.position)
    reached: list[str] = []
    for position, entry in enumerate(trail):
        reached.extend(step.step_id for step in waiting if step.position == position)
        if entry["outcome"] != "skipped":
            reached.append(entry["step"])
    reached.extend(step.step_id for step in waiting if step.position >= len(trail))
    if run.cursor and (not reached or reached[-1] != run.cursor):
        reached.append(run.cursor)
    return reached
