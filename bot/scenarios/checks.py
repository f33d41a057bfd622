"""Scenario files checked against the SOP they test: inputs it declares, events it listens
to, steps that exist, approvals, tasks and choices it really opens (with the fields and
options they have), operations it can call.

A scenario that names something the SOP does not have would fail for the wrong reason at
run time; here it fails at once, at its line, with what the SOP does have.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from bot.catalogue.operation import as_result
from bot.catalogue.registry import Catalogue
from bot.connectors.sandbox.outside import CHANGEABLE
from bot.procedure.model import Procedure
from bot.procedure.source_map import Path
from bot.procedure.steps import ActionStep, ApprovalStep, StepBase, choice_of, task_of
from bot.scenarios.document import ScenarioFile
from bot.scenarios.model import (
    PENDING_KINDS,
    ActionMatch,
    Decision,
    Expectation,
    Opened,
    OutsideChange,
    Pick,
    Scenario,
    Stubs,
)
from bot.scenarios.stubs import tool_answer
from bot.validation.context import did_you_mean


@dataclass(frozen=True)
class _Checker:
    """Reports into ``loaded`` what its scenarios name that ``procedure`` does not have."""

    loaded: ScenarioFile
    procedure: Procedure
    catalogue: Catalogue

    def scenario(self, index: int, scenario: Scenario) -> None:
        self._start(index, scenario)
        self._stubs((index, "tools"), scenario.tools)
        for position, step in enumerate(scenario.then):
            path: Path = (index, "then", position, step.kind)
            if step.approve is not None:
                self._decision(path, step.approve, scenario, "approval")
            elif step.reject is not None:
                self._decision(path, step.reject, scenario, "approval")
            elif step.complete is not None:
                self._decision(path, step.complete, scenario, "task")
                self._task_fields(path, step.complete.step, list(step.complete.fields))
            elif step.choose is not None:
                self._decision(path, step.choose, scenario, "choice")
                self._option(path, step.choose)
            elif step.change is not None:
                self._change(path, step.change)
            elif step.tools is not None:
                self._stubs(path, step.tools)
            elif step.expect is not None:
                self._expectation(path, step.expect)

    def _change(self, path: Path, change: OutsideChange) -> None:
        if change.record not in CHANGEABLE:
            self.loaded.report(
                "SCN205",
                path,
                f"the sandbox cannot change a '{change.record}'"
                + did_you_mean(change.record, CHANGEABLE),
                f"records that change: {', '.join(CHANGEABLE)}",
            )

    def _start(self, index: int, scenario: Scenario) -> None:
        for number, change in enumerate(scenario.given):
            self._change((index, "given", number), change)
        procedure = self.procedure
        for name in scenario.inputs:
            if name not in procedure.inputs:
                self.loaded.report(
                    "SCN201",
                    (index, "inputs", name),
                    f"{procedure.id} has no input '{name}'" + did_you_mean(name, procedure.inputs),
                    f"its inputs: {', '.join(procedure.inputs) or 'none'}",
                    at_key=True,
                )
        event = scenario.event
        triggers = procedure.trigger.events
        if event is not None and not any(
            (t.source, t.type) == (event.source, event.type) for t in triggers
        ):
            listens = ", ".join(f"{t.source} {t.type}" for t in triggers) or "no events"
            self.loaded.report(
                "SCN202",
                (index, "event"),
                f"{procedure.id} does not start on {event.source} {event.type} events",
                f"it listens to: {listens}",
            )
        if scenario.schedule is not None and procedure.trigger.schedule is None:
            self.loaded.report(
                "SCN202",
                (index, "schedule"),
                f"{procedure.id} has no schedule",
                "start it with as: and inputs, or with an event",
            )

    def _decision(
        self,
        path: Path,
        decision: Decision,
        scenario: Scenario,
        kind: Opened,
    ) -> None:
        noun = "an approval" if kind == "approval" else f"a {kind}"
        if decision.step is not None:
            step = self._step((*path, "step"), decision.step)
            assist_write = (
                kind == "approval" and isinstance(step, ActionStep) and self._writes(step.action)
            )
            if step is not None and not (_opens(step, kind) or assist_write):
                self.loaded.report(
                    "SCN204", (*path, "step"), f"step '{decision.step}' does not open {noun}"
                )
            return
        opens = any(_opens(step, kind) for step in self.procedure.steps)
        assist = kind == "approval" and (scenario.mode or self.procedure.mode) == "assist"
        if not (opens or assist):
            self.loaded.report(
                "SCN206",
                path,
                f"{self.procedure.id} never opens {noun}",
                "it has no such step"
                + (" and does not run in assist mode" if kind == "approval" else ""),
            )

    def _option(self, path: Path, pick: Pick) -> None:
        choices = [
            choice
            for step in self.procedure.steps
            if (choice := choice_of(step)) is not None and pick.step in (None, step.id)
        ]
        labels = [option.label for choice in choices for option in choice.options]
        if choices and pick.option not in labels:
            self.loaded.report(
                "SCN212",
                (*path, "option"),
                f"the choice has no option '{pick.option}'" + did_you_mean(pick.option, labels),
                f"its options: {', '.join(labels)}",
            )

    def _task_fields(self, path: Path, step_id: str | None, names: list[str]) -> None:
        tasks = [
            task
            for step in self.procedure.steps
            if (task := task_of(step)) is not None and step_id in (None, step.id)
        ]
        known = {name for task in tasks for name in task.fields}
        for name in names:
            if tasks and name not in known:
                self.loaded.report(
                    "SCN207",
                    (*path, "fields", name),
                    f"the task has no field '{name}'" + did_you_mean(name, known),
                    f"its fields: {', '.join(sorted(known)) or 'none'}",
                    at_key=True,
                )

    def _stubs(self, path: Path, stubs: Stubs) -> None:
        for name, planned in stubs.items():
            operation = self.catalogue.get(name)
            if operation is None:
                self._unknown_operation((*path, name), name, at_key=True)
                continue
            for number, stub in enumerate(planned):
                if stub.answer is None:
                    continue
                try:
                    operation.result.model_validate(
                        as_result(operation.result, tool_answer(operation, stub.answer))
                    )
                except ValidationError as error:
                    problem = error.errors()[0]
                    where = ".".join(map(str, problem["loc"])) or "answer"
                    self.loaded.report(
                        "SCN208",
                        (*path, name, number, "answer") if len(planned) > 1 else (*path, name),
                        f"the answer does not fit what {name} returns: {where}: {problem['msg']}",
                        f"its result has: {', '.join(operation.result.model_fields)}",
                    )

    def _expectation(self, path: Path, expect: Expectation) -> None:
        if expect.pending is not None and expect.pending not in PENDING_KINDS:
            self._step((*path, "pending"), expect.pending)
        for number, step_id in enumerate(expect.steps or []):
            self._step((*path, "steps", number), step_id)
        for key, matches in (("actions", expect.actions), ("would_do", expect.would_do)):
            for number, match in enumerate(matches or []):
                self._action((*path, key, number), match)

    def _action(self, path: Path, match: ActionMatch) -> None:
        operation = self.catalogue.get(match.operation)
        if operation is None:
            self._unknown_operation(path, match.operation)
        elif not operation.writes:
            self.loaded.report(
                "SCN209",
                path,
                f"{match.operation} only reads; this list holds the writes the tools performed",
                "check reads through steps: or saved:",
            )

    def _step(self, path: Path, step_id: str) -> StepBase | None:
        index = self.procedure.step_index()
        if step_id not in index:
            self.loaded.report(
                "SCN203",
                path,
                f"{self.procedure.id} has no step '{step_id}'" + did_you_mean(step_id, index),
            )
            return None
        return self.procedure.steps[index[step_id]]

    def _unknown_operation(self, path: Path, name: str, *, at_key: bool = False) -> None:
        names = [operation.name for operation in self.catalogue]
        self.loaded.report(
            "SCN210",
            path,
            f"there is no operation '{name}'" + did_you_mean(name, names),
            at_key=at_key,
        )

    def _writes(self, name: str) -> bool:
        operation = self.catalogue.get(name)
        return operation is not None and operation.writes


def check_scenarios(loaded: ScenarioFile, procedure: Procedure, catalogue: Catalogue) -> None:
    """Report every scenario that names what the SOP does not have, and repeated names."""
    checker = _Checker(loaded, procedure, catalogue)
    seen: dict[str, int] = {}
    for index, scenario in loaded.scenarios:
        first = seen.setdefault(scenario.name, index)
        if first != index:
            loaded.report(
                "SCN211",
                (index, "name"),
                f"the scenario name '{scenario.name}' is already used in this file",
                "give each scenario its own name: -k selects scenarios by name",
            )
        checker.scenario(index, scenario)


def _opens(step: StepBase, kind: Opened) -> bool:
    """Whether ``step`` can wait on a person for ``kind``: an approval step's approval, the
    task of a task step or of a draft step no model wrote, the choice of a choose step or of
    a judge step no sure model decided."""
    if kind == "approval":
        return isinstance(step, ApprovalStep)
    if kind == "task":
        return task_of(step) is not None
    return choice_of(step) is not None
