"""Driving one scenario through the real engine: start the run, then do each ``then`` step
as a person, the clock or the outside world would, and check expectations on the way.

The clock moves the way a running bot sees it: every timer fires at its own due time, one
after another, so a wait of 30 days sends the 7- and 14-day follow-ups on their days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.connectors.sandbox.outside import change_record
from bot.engine.errors import EngineError
from bot.engine.invariants import stuck_runs
from bot.engine.state import read_stored
from bot.harness import Harness
from bot.library import UnknownProcedure
from bot.procedure.model import Procedure
from bot.procedure.steps import ApprovalStep, StepBase, choice_of, task_of
from bot.scenarios.expectations import check
from bot.scenarios.facts import Facts, PersonStep, gather
from bot.scenarios.model import (
    Completion,
    Decision,
    Opened,
    OutsideChange,
    Pick,
    Rejection,
    Scenario,
    ThenStep,
)
from bot.scenarios.results import Mismatch
from bot.scenarios.stubs import StubbedTools
from storage import audit, runs, timers
from storage.models import Approval

MAX_WAKES = 10_000
OPENS: dict[str, Opened] = {
    "approve": "approval",
    "reject": "approval",
    "complete": "task",
    "choose": "choice",
}
"""What each decision acts on: the kind of the open approval, task or choice."""


class StepFailed(Exception):
    """A then-step did not go as the scenario says; ``mismatches`` for expectations."""

    def __init__(self, message: str, mismatches: tuple[Mismatch, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.mismatches = mismatches


@dataclass
class ScenarioDriver:
    """One scenario's run on a harness whose tools go through ``stubs``."""

    harness: Harness
    stubs: StubbedTools
    procedure: Procedure
    run_id: str | None = None
    refusal: str | None = None
    person_steps: dict[str, PersonStep] = field(default_factory=dict)

    def start(self, scenario: Scenario) -> None:
        """Start the run the way the scenario says, and do all that is due at once."""
        for change in scenario.given:
            self._change(change)
        for operation, planned in scenario.tools.items():
            self.stubs.plan(operation, planned)
        engine = self.harness.engine
        try:
            if scenario.event is not None:
                event = scenario.event
                started = engine.starter.start_from_event(
                    event.source, event.type, event.payload, key=f"scenario:{scenario.name}"
                )
                if not started:
                    self.refusal = (
                        self._refused_start() or "the event does not pass the trigger's filter"
                    )
                engine.run_due()
            elif scenario.schedule is not None:
                engine.starter.arm_schedules()
                first = self._next_due()
                if first is not None:
                    self._walk_to(first)
            else:
                self.harness.start(
                    self.procedure.id, scenario.inputs, by=scenario.as_, mode=scenario.mode
                )
        except (EngineError, UnknownProcedure) as refused:
            self.refusal = str(refused)
        self._observe()

    def _refused_start(self) -> str | None:
        """Why the procedure refused the event (its owner was told), if it did."""
        with self.harness.database.session() as session:
            events = audit.recent(session, limit=20)
        refusals = [
            event
            for event in events
            if event.action == "run.start"
            and event.outcome == "refused"
            and event.detail.get("sop") == self.procedure.id
        ]
        return refusals[0].reason if refusals else None

    def do(self, step: ThenStep) -> None:
        """One then-step; ``StepFailed`` when it cannot be done or an expectation fails."""
        if step.approve is not None:
            self._decide(step.approve, "approve")
        elif step.reject is not None:
            self._decide(step.reject, "reject")
        elif step.complete is not None:
            self._decide(step.complete, "complete")
        elif step.choose is not None:
            self._decide(step.choose, "choose")
        elif step.wait is not None:
            self._walk_to(self.harness.clock.now() + step.wait)
        elif step.change is not None:
            self._change(step.change)
        elif step.tools is not None:
            for operation, planned in step.tools.items():
                self.stubs.plan(operation, planned)
        elif step.expect is not None:
            mismatches = check(step.expect, self.facts())
            if mismatches:
                raise StepFailed("the expectation does not hold", tuple(mismatches))
        self._check_nothing_stuck()

    def facts(self) -> Facts:
        """What has happened so far."""
        with self.harness.database.session(read_only=True) as session:
            count = len(runs.list_runs(session, limit=1_000))
        return gather(
            self.harness, self.run_id, count, self.refusal, list(self.person_steps.values())
        )

    def describe(self) -> str | None:
        """One line on where the run stands, for failure reports."""
        if self.run_id is None:
            return f"no run started: {self.refusal}" if self.refusal else None
        run = self.harness.run(self.run_id)
        text = f"run {run.id} is {run.status}" + (f" at {run.cursor}" if run.cursor else "")
        return text + (f": {run.reason}" if run.reason else "")

    def _decide(self, decision: Decision, verb: str) -> None:
        approval = self._open_one(OPENS[verb], decision.step)
        who = decision.as_
        try:
            if isinstance(decision, Completion):
                self.harness.complete(approval.id, who, decision.fields)
            elif isinstance(decision, Pick):
                self.harness.engine.decisions.choose(approval.id, who, decision.option)
                self.harness.engine.run_due()
            else:
                reason = decision.reason if isinstance(decision, Rejection) else None
                self.harness.decide(approval.id, who, verb, reason)
        except EngineError as refused:
            if decision.refused is None:
                raise StepFailed(f"{who} could not {verb} {approval.step_id}: {refused}") from None
            if decision.refused not in str(refused):
                raise StepFailed(
                    f"sopbot refused with '{refused}', not '{decision.refused}'"
                ) from None
            return
        if decision.refused is not None:
            raise StepFailed(f"sopbot let {who} {verb} {approval.step_id}; expected a refusal")
        self._observe()

    def _open_one(self, kind: str, step_id: str | None) -> Approval:
        if self.run_id is None:
            raise StepFailed(f"there is no run to decide on ({self.refusal or 'none started'})")
        candidates = [
            approval
            for approval in self.harness.pending(self.run_id)
            if approval.kind == kind and step_id in (None, approval.step_id)
        ]
        if not candidates:
            where = f" at {step_id}" if step_id else ""
            raise StepFailed(f"no {kind}{where} is open: {self.describe()}")
        return candidates[0]

    def _change(self, change: OutsideChange) -> None:
        try:
            change_record(
                self.harness.database,
                self.harness.clock.now(),
                change.record,
                change.key,
                change.set,
            )
        except ValueError as error:
            raise StepFailed(f"the sandbox refused the change: {error}") from None

    def _walk_to(self, target: dt.datetime) -> None:
        """Move the clock to ``target``, stopping at each timer's due time on the way."""
        for _ in range(MAX_WAKES):
            due = self._next_due()
            if due is None or due > target:
                break
            self.harness.advance(max(due - self.harness.clock.now(), dt.timedelta()))
            self._observe()
        else:
            raise StepFailed(
                f"the engine woke more than {MAX_WAKES:,} times before {target:%Y-%m-%d %H:%M}: "
                "is something re-checked too often, or looping?"
            )
        self.harness.advance(target - self.harness.clock.now())
        self._observe()

    def _next_due(self) -> dt.datetime | None:
        with self.harness.database.session(read_only=True) as session:
            return timers.next_due_at(session)

    def _observe(self) -> None:
        """Note the first run, and each approval, task or choice step it waits on (a draft's
        or a judge's when a person does its work), with its place."""
        if self.run_id is None:
            with self.harness.database.session(read_only=True) as session:
                started = runs.list_runs(session, limit=1_000)
            if not started:
                return
            self.run_id = started[-1].id
        run = self.harness.run(self.run_id)
        if run.waiting_on not in ("approval", "task"):
            return
        trail = [entry.model_dump() for entry in read_stored(run.state)[1].trail]
        index = self.procedure.step_index()
        for approval in self.harness.pending(self.run_id):
            step = self.procedure.steps[index[approval.step_id]]
            if _waits_on_a_person(step) and approval.id not in self.person_steps:
                self.person_steps[approval.id] = PersonStep(len(trail), approval.step_id)

    def _check_nothing_stuck(self) -> None:
        with self.harness.database.session(read_only=True) as session:
            stuck = stuck_runs(session)
        if stuck:
            raise StepFailed(
                "sopbot broke its promise that no run is ever stuck: " + "; ".join(stuck)
            )


def _waits_on_a_person(step: StepBase) -> bool:
    """A step whose pause is the person's own work (not an assist-mode confirmation of an
    action, which the trail records when it runs)."""
    return (
        isinstance(step, ApprovalStep) or task_of(step) is not None or choice_of(step) is not None
    )
