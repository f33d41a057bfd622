"""One walk over a procedure that finds everything the rules look at, with its path.

The rules ask about expressions, action calls, outcomes, people and saved names wherever
they appear (steps, SLA chains, inputs, triggers); listing them once here keeps every rule
short and every path to the document exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from bot.procedure.expressions import is_template, located_templates
from bot.procedure.inputs import InputSpec
from bot.procedure.model import Procedure
from bot.procedure.outcomes import Outcome
from bot.procedure.source_map import Path
from bot.procedure.steps import (
    DRAFT_FIELDS,
    PACKAGE_FIELDS,
    ActionCall,
    ActionStep,
    ApprovalStep,
    ChooseStep,
    DecideStep,
    DraftStep,
    EndStep,
    EscalateStep,
    JudgeStep,
    PrepareStep,
    SetStep,
    StepBase,
    TaskStep,
    WaitStep,
)

# Sites are NamedTuples: a procedure has dozens of them, and a thousand procedures are
# validated at once, so they must be cheap to create.

Scope = Literal["step", "start", "sla"]
"""Where an expression is evaluated: inside a step (names saved earlier in the flow are
visible), when the run starts (inputs and trigger filters: nothing saved yet), or in an SLA
clock (which runs beside the steps, so any saved name may be visible)."""

OutcomeKind = Literal["on_failure", "on_timeout", "on_reject"]


class ExpressionSite(NamedTuple):
    """A condition or a template string."""

    path: Path
    text: str
    condition: bool
    scope: Scope
    step: int | None = None
    local_names: frozenset[str] = frozenset()
    """Names the same step has already saved when this expression is evaluated."""
    event: bool = False
    """True in trigger filters and in inputs' templates, where ``event`` is defined."""


class CallSite(NamedTuple):
    """An action call: a step's, a wait's refresh or while_waiting, or an SLA link's."""

    path: Path
    call: ActionCall
    step: int | None


class OutcomeSite(NamedTuple):
    """What happens on failure, timeout or rejection of a step."""

    path: Path
    outcome: Outcome
    kind: OutcomeKind
    step: int


class TargetSite(NamedTuple):
    """A literal person or place (user, group, channel, role:NAME or starter)."""

    path: Path
    target: str


class SavedName(NamedTuple):
    """A name later expressions can read, with what is known about its shape."""

    name: str
    path: Path
    step: int | None
    operation: str | None = None
    """The operation whose result is saved (its result model lists the fields)."""
    fields: frozenset[str] | None = None
    """The fields of a task's answer (or of a prepared package)."""


@dataclass
class Sites:
    """Everything of one procedure that the rules inspect."""

    expressions: list[ExpressionSite] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    outcomes: list[OutcomeSite] = field(default_factory=list)
    targets: list[TargetSite] = field(default_factory=list)
    saved: list[SavedName] = field(default_factory=list)


def collect_sites(procedure: Procedure) -> Sites:
    """Walk the whole procedure once."""
    walker = _Walker()
    walker.procedure(procedure)
    return walker.sites


def has_template(value: Any) -> bool:
    """True when a value holds a template anywhere: it is known only at run time."""
    if isinstance(value, str):
        return is_template(value)
    return next(located_templates(value), None) is not None


class _Walker:
    def __init__(self) -> None:
        self.sites = Sites()

    def templates(
        self,
        value: Any,
        path: Path,
        scope: Scope,
        step: int | None = None,
        local_names: frozenset[str] = frozenset(),
        *,
        event: bool = False,
    ) -> None:
        if value is None or (isinstance(value, str) and "{{" not in value and "{%" not in value):
            return  # the common case, decided without walking
        for where, text in located_templates(value, path):
            self.sites.expressions.append(
                ExpressionSite(where, text, False, scope, step, local_names, event)
            )

    def condition(
        self,
        text: str | None,
        path: Path,
        scope: Scope,
        step: int | None = None,
        local_names: frozenset[str] = frozenset(),
        *,
        event: bool = False,
    ) -> None:
        if text is not None:
            self.sites.expressions.append(
                ExpressionSite(path, text, True, scope, step, local_names, event)
            )

    def people(self, values: list[str], path: Path, scope: Scope, step: int | None) -> None:
        """Targets that may be literal (checked as such) or one {{ expression }}."""
        for index, value in enumerate(values):
            self.person(value, (*path, index), scope, step)

    def person(self, value: str, path: Path, scope: Scope, step: int | None) -> None:
        if is_template(value):
            self.templates(value, path, scope, step)
        else:
            self.sites.targets.append(TargetSite(path, value))

    def call(
        self,
        call: ActionCall,
        path: Path,
        scope: Scope,
        step: int | None,
        local_names: frozenset[str] = frozenset(),
    ) -> None:
        self.sites.calls.append(CallSite(path, call, step))
        self.templates(call.with_, (*path, "with"), scope, step, local_names)
        if call.save_as:
            self.sites.saved.append(
                SavedName(call.save_as, (*path, "save_as"), step, operation=call.action)
            )

    def outcome(self, outcome: Outcome | None, path: Path, kind: OutcomeKind, step: int) -> None:
        if outcome is None:
            return
        self.sites.outcomes.append(OutcomeSite(path, outcome, kind, step))
        self.people(outcome.to, (*path, "to"), "step", step)
        self.templates(outcome.reason, (*path, "reason"), "step", step)

    def input_specs(
        self, specs: dict[str, InputSpec], path: Path, scope: Scope, step: int | None
    ) -> None:
        event = step is None  # a procedure's inputs are read from the triggering event
        for name, spec in specs.items():
            self.templates(spec.from_, (*path, name, "from"), scope, step, event=event)
            self.templates(spec.default, (*path, name, "default"), scope, step, event=event)

    def procedure(self, procedure: Procedure) -> None:
        self.person(procedure.owner, ("owner",), "start", None)
        for role, members in procedure.roles.items():
            self.people(members, ("roles", role), "start", None)
        self.input_specs(procedure.inputs, ("inputs",), "start", None)
        for index, event in enumerate(procedure.trigger.events):
            self.condition(
                event.filter, ("trigger", "events", index, "filter"), "start", event=True
            )
        if procedure.escalation is not None:
            self.people(procedure.escalation.to, ("escalation", "to"), "start", None)
        for index, step in enumerate(procedure.steps):
            self.step(step, index)
        for index, clock in enumerate(procedure.sla):
            path: Path = ("sla", index)
            self.condition(clock.applies_when, (*path, "applies_when"), "sla")
            for link_index, link in enumerate(clock.escalations):
                link_path: Path = (*path, "escalations", link_index)
                self.condition(link.unless, (*link_path, "unless"), "sla")
                self.people(link.to, (*link_path, "to"), "sla", None)
                self.templates(link.message, (*link_path, "message"), "sla")
                for action_index, call in enumerate(link.actions):
                    self.call(call, (*link_path, "actions", action_index), "sla", None)

    def step(self, step: StepBase, index: int) -> None:
        path: Path = ("steps", index)
        self.condition(step.when, (*path, "when"), "step", index)
        if isinstance(step, ActionStep):
            self.call(step, path, "step", index)
            self.templates(step.idempotency_key, (*path, "idempotency_key"), "step", index)
            self.outcome(step.on_failure, (*path, "on_failure"), "on_failure", index)
        elif isinstance(step, SetStep):
            earlier: list[str] = []
            for name, value in step.set.items():
                self.templates(value, (*path, "set", name), "step", index, frozenset(earlier))
                self.sites.saved.append(SavedName(name, (*path, "set", name), index))
                earlier.append(name)
        elif isinstance(step, DecideStep):
            for case_index, case in enumerate(step.decide):
                self.condition(case.when, (*path, "decide", case_index, "when"), "step", index)
        elif isinstance(step, PrepareStep):
            self.prepare(step, path, index)
        elif isinstance(step, ApprovalStep):
            self.approval(step, path, index)
        elif isinstance(step, TaskStep):
            task_path: Path = (*path, "task")
            self.person(step.task.assignee, (*task_path, "assignee"), "step", index)
            self.templates(step.task.instructions, (*task_path, "instructions"), "step", index)
            self.input_specs(step.task.fields, (*task_path, "fields"), "step", index)
            self.outcome(step.task.on_timeout, (*task_path, "on_timeout"), "on_timeout", index)
            if step.save_as:
                self.sites.saved.append(
                    SavedName(
                        step.save_as,
                        (*path, "save_as"),
                        index,
                        fields=frozenset(step.task.fields),
                    )
                )
        elif isinstance(step, DraftStep):
            draft_path: Path = (*path, "draft")
            self.person(step.draft.assignee, (*draft_path, "assignee"), "step", index)
            self.templates(step.draft.instructions, (*draft_path, "instructions"), "step", index)
            self.templates(step.draft.facts, (*draft_path, "facts"), "step", index)
            self.outcome(step.draft.on_timeout, (*draft_path, "on_timeout"), "on_timeout", index)
            self.sites.saved.append(
                SavedName(step.save_as, (*path, "save_as"), index, fields=DRAFT_FIELDS)
            )
        elif isinstance(step, ChooseStep):
            choose_path: Path = (*path, "choose")
            self.person(step.choose.assignee, (*choose_path, "assignee"), "step", index)
            self.templates(step.choose.question, (*choose_path, "question"), "step", index)
        elif isinstance(step, JudgeStep):
            judge_path: Path = (*path, "judge")
            self.person(step.judge.assignee, (*judge_path, "assignee"), "step", index)
            for key in ("question", "instructions", "facts"):
                self.templates(getattr(step.judge, key), (*judge_path, key), "step", index)
        elif isinstance(step, WaitStep):
            self.wait(step, path, index)
        elif isinstance(step, EscalateStep):
            escalation_path: Path = (*path, "escalate")
            self.people(step.escalate.to, (*escalation_path, "to"), "step", index)
            self.templates(step.escalate.reason, (*escalation_path, "reason"), "step", index)
            self.templates(step.escalate.context, (*escalation_path, "context"), "step", index)
            self.templates(step.escalate.result, (*escalation_path, "result"), "step", index)
        elif isinstance(step, EndStep):
            self.templates(step.message, (*path, "message"), "step", index)
            self.templates(step.result, (*path, "result"), "step", index)

    def prepare(self, step: PrepareStep, path: Path, index: int) -> None:
        prepare = step.prepare
        prepare_path: Path = (*path, "prepare")
        for key in ("summary", "instructions", "facts", "draft"):
            self.templates(getattr(prepare, key), (*prepare_path, key), "step", index)
        self.sites.saved.append(
            SavedName(step.save_as, (*path, "save_as"), index, fields=PACKAGE_FIELDS)
        )

    def approval(self, step: ApprovalStep, path: Path, index: int) -> None:
        approval = step.approval
        approval_path: Path = (*path, "approval")
        self.people(approval.approvers, (*approval_path, "approvers"), "step", index)
        self.templates(approval.summary, (*approval_path, "summary"), "step", index)
        self.templates(approval.facts, (*approval_path, "facts"), "step", index)
        self.outcome(approval.on_timeout, (*approval_path, "on_timeout"), "on_timeout", index)
        self.outcome(approval.on_reject, (*approval_path, "on_reject"), "on_reject", index)

    def wait(self, step: WaitStep, path: Path, index: int) -> None:
        wait = step.wait
        wait_path: Path = (*path, "wait")
        refreshed = frozenset(
            [wait.refresh.save_as] if wait.refresh is not None and wait.refresh.save_as else []
        )
        self.condition(wait.until, (*wait_path, "until"), "step", index, refreshed)
        if wait.refresh is not None:
            self.call(wait.refresh, (*wait_path, "refresh"), "step", index)
        if wait.while_waiting is not None:
            self.call(wait.while_waiting, (*wait_path, "while_waiting"), "step", index, refreshed)
        self.outcome(wait.on_timeout, (*wait_path, "on_timeout"), "on_timeout", index)
        self.outcome(step.on_failure, (*path, "on_failure"), "on_failure", index)
