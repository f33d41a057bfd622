"""The steps of a procedure: one model per kind, chosen by the kind's key.

A step is written as ``- id: ...`` plus exactly one kind key (``action``, ``set``,
``decide``, ``prepare``, ``approval``, ``task``, ``draft``, ``choose``, ``judge``, ``wait``,
``escalate``, ``end``). Every step may carry
``when`` (skip it unless true) and ``next`` (where to go after it).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from bot.procedure.inputs import InputSpec
from bot.procedure.outcomes import FailureRule, Outcome
from bot.procedure.types import (
    Condition,
    Duration,
    DynamicTarget,
    Identifier,
    OperationName,
    SopModel,
    StepId,
    Template,
)

CatchUp = Annotated[
    Literal["each", "latest"],
    Field(
        description="reminders that fell due while sopbot was not running: send each one, "
        "saying how late it is (each), or only the newest, saying how many were skipped (latest)"
    ),
]


class StepBase(SopModel):
    """What every step has: an id, an optional title, a guard and a successor."""

    id: StepId
    title: str | None = Field(default=None, description="a short human name for cards and graphs")
    when: Condition | None = Field(
        default=None, description="run this step only if true; else skip it"
    )
    next: StepId | None = Field(
        default=None, description="the step after this one (default: the next in order)"
    )


class ActionCall(SopModel):
    """One call to a connector operation, with templated arguments."""

    action: OperationName
    with_: dict[str, Any] = Field(
        default_factory=dict, alias="with", description="the operation's arguments"
    )
    save_as: Identifier | None = Field(
        default=None, description="name under which later steps see the result"
    )


class ActionStep(StepBase, ActionCall):
    """Run a tool operation (a read or a write) through the guarded connector boundary."""

    timeout: Duration | None = Field(default=None, description="give up on one try after this long")
    on_failure: FailureRule | None = Field(
        default=None, description="retries, then escalate, skip, stop or goto"
    )
    idempotency_key: Template | None = Field(
        default=None,
        description="a key the tool uses to ignore a repeated write, making it safe to retry",
    )


class SetStep(StepBase):
    """Compute values from inputs and saved outputs; later steps see each by its name."""

    set: dict[Identifier, Any] = Field(min_length=1, description="name: value or {{ expression }}")


class Case(SopModel):
    """One branch of a decision."""

    when: Condition
    goto: StepId


class DecideStep(StepBase):
    """Branch on conditions, first true case wins; ``otherwise`` when none is true."""

    decide: list[Case] = Field(min_length=1)
    otherwise: StepId | None = Field(
        default=None, description="where to go when no case is true (default: next)"
    )


PACKAGE_FIELDS = frozenset(
    {"summary", "findings", "recommendation", "confidence", "draft", "source", "reads"}
)
"""What a prepared package holds: later steps read ``package.recommendation`` and the rest."""


def model_budget() -> Any:
    """An agent step's ``budget`` field: the model's whole time there, after which the step
    takes its path without a model (SOP283 keeps it to 1s to 10m)."""
    return Field(default=dt.timedelta(seconds=30), description="the model's whole time (1s to 10m)")


class Prepare(SopModel):
    """An agent-prepared package. A model may call only the listed reads (within the call
    limit and the time budget), then answers with a summary, findings with the evidence each
    rests on, one of the declared options, its confidence and a draft. Without a model the
    package is the declared facts, with no recommendation, and the run goes on."""

    summary: Template = Field(
        description="one line saying what is prepared (the package's summary without a model)"
    )
    instructions: Template | None = Field(
        default=None, description="what the model should look at and weigh"
    )
    reads: list[OperationName] = Field(
        default_factory=list, description="the read operations the model may call"
    )
    facts: dict[str, Template] = Field(
        default_factory=dict,
        description="label: value pairs the model starts from (and the package without one)",
    )
    options: list[Identifier] = Field(
        description="the answers the model may recommend, such as [full_refund, partial, deny]"
    )
    draft: Template | None = Field(
        default=None,
        description="ask for a drafted outbound text: what it is, such as 'the reply to the customer'",
    )
    max_calls: int = Field(default=5, ge=0, description="at most this many reads (1 to 20)")
    budget: Duration = model_budget()


class PrepareStep(StepBase):
    """Prepare a package for the people who decide next; it is saved under save_as."""

    prepare: Prepare
    save_as: Identifier = Field(description="the name later steps (and an approval) read it by")


class Approval(SopModel):
    """An agent-prepared package that a listed person approves or rejects."""

    approvers: list[DynamicTarget] = Field(
        min_length=1, description="who may decide: user or group IDs, or roles"
    )
    required: int = Field(
        default=1, ge=1, description="how many distinct approvals are needed (N of M)"
    )
    allow_starter: bool = Field(
        default=False, description="may the person who started the run approve it"
    )
    summary: Template = Field(description="one line saying what is being approved and why")
    facts: dict[str, Template] = Field(
        default_factory=dict, description="label: value pairs shown on the card"
    )
    covers: list[StepId] = Field(
        default_factory=list,
        description="the action steps whose exact calls the package shows and pins (default: the next action)",
    )
    prepared: Identifier | None = Field(
        default=None,
        description="the save_as of a prepare step: its package is shown on the card and approved with it",
    )
    timeout: Duration | None = Field(
        default=None, description="how long to wait for a decision (required)"
    )
    on_timeout: Outcome | None = Field(
        default=None, description="what happens if nobody decides in time (required)"
    )
    on_reject: Outcome | None = Field(
        default=None, description="what happens on rejection (default: the run ends rejected)"
    )
    remind_every: Duration | None = Field(
        default=None, description="nudge the approvers this often while pending"
    )
    catch_up: CatchUp = "each"


class ApprovalStep(StepBase):
    """Pause until the package is approved (continue), rejected or timed out."""

    approval: Approval


class Task(SopModel):
    """Work only a person can do; the bot prepares it, asks for the results and tracks it."""

    assignee: DynamicTarget
    instructions: Template
    fields: dict[Identifier, InputSpec] = Field(
        default_factory=dict, description="what the person reports back"
    )
    due: Duration | None = Field(default=None, description="how long the person has (required)")
    remind_every: Duration | None = None
    catch_up: CatchUp = "each"
    on_timeout: Outcome | None = Field(
        default=None, description="what happens when it is overdue (required)"
    )


class TaskStep(StepBase):
    """Pause until the assignee completes the task; its fields are saved under save_as."""

    task: Task
    save_as: Identifier | None = None


DRAFT_FIELDS = frozenset({"text"})
"""What a draft step saves: later steps send ``reply.text``."""


class Draft(SopModel):
    """Outbound text a model writes. It must pass the SOP's text guardrails (forbidden
    phrases, and the required disclosures of the operation it goes out through); a draft
    that breaks one gets one redraft, then the assignee writes it, as a task."""

    instructions: Template = Field(description="what to write, for whom and why")
    facts: dict[str, Template] = Field(
        default_factory=dict, description="label: value pairs the text rests on"
    )
    for_: OperationName | None = Field(
        default=None,
        alias="for",
        description="the operation the text goes out through, such as email.send (its required disclosures apply)",
    )
    assignee: DynamicTarget = Field(description="who writes it when the model cannot")
    budget: Duration = model_budget()
    due: Duration | None = Field(default=None, description="how long the person has (required)")
    remind_every: Duration | None = None
    catch_up: CatchUp = "each"
    on_timeout: Outcome | None = Field(
        default=None, description="what happens when the person's text is overdue (required)"
    )

    def as_task(self) -> Task:
        """The task the assignee gets when the model cannot write the text."""
        return Task(
            assignee=self.assignee,
            instructions=self.instructions,
            fields={"text": InputSpec(type="text", description="the text to send")},
            due=self.due,
            remind_every=self.remind_every,
            catch_up=self.catch_up,
            on_timeout=self.on_timeout,
        )


class DraftStep(StepBase):
    """Save a text a model drafted within the guardrails, or that a person wrote."""

    draft: Draft
    save_as: Identifier = Field(description="later steps read the text as NAME.text")


def task_of(step: StepBase) -> Task | None:
    """The work a person does at this step (a task step's, or a draft step's when the model
    cannot write the text), or None for every other kind."""
    if isinstance(step, TaskStep):
        return step.task
    if isinstance(step, DraftStep):
        return step.draft.as_task()
    return None


class Option(SopModel):
    """One answer a person may pick, and the step the run goes to when they do."""

    label: str = Field(
        min_length=1, description="the button's words, such as 'Suspend the account'"
    )
    goto: StepId = Field(description="the step the run goes to when this option is picked")


class Choice(SopModel):
    """A question only a person can answer, by picking one of the options; the card shows
    what each option will do (the calls its step makes)."""

    assignee: DynamicTarget
    question: Template = Field(description="what the person decides, in one line")
    options: list[Option] = Field(description="two or more answers, each leading to a step")
    default: str | None = Field(
        default=None,
        description="the label of the option taken when nobody picks in time "
        "(without one, the run escalates on timeout)",
    )
    timeout: Duration | None = Field(
        default=None, description="how long the person has to pick (required)"
    )

    def default_option(self) -> Option | None:
        """The option taken when nobody picks in time; None escalates instead."""
        return next((option for option in self.options if option.label == self.default), None)


class ChooseStep(StepBase):
    """Pause until the assignee picks an option, then go to that option's step."""

    choose: Choice


class Judge(Choice):
    """A judgement among declared options: a model picks one, with its confidence and why;
    below the threshold, or without a model, the assignee picks through a choice card that
    shows the model's suggestion."""

    instructions: Template | None = Field(default=None, description="what the model should weigh")
    facts: dict[str, Template] = Field(
        default_factory=dict, description="label: value pairs the judgement rests on"
    )
    threshold: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="the confidence (0 to 1) the model needs to decide alone; below it a person picks",
    )
    budget: Duration = model_budget()


class JudgeStep(StepBase):
    """Go on at the step of the option the model picks with enough confidence, or that the
    assignee picks."""

    judge: Judge


def choice_of(step: StepBase) -> Choice | None:
    """The options a person may pick at this step (a choose step's, or a judge step's when
    the model is not sure), or None for every other kind."""
    if isinstance(step, ChooseStep):
        return step.choose
    if isinstance(step, JudgeStep):
        return step.judge
    return None


class Wait(SopModel):
    """A pause for a duration, or until a condition holds, re-checked at set times."""

    for_: Duration | None = Field(default=None, alias="for", description="pause this long")
    until: Condition | None = Field(default=None, description="continue as soon as this is true")
    refresh: ActionCall | None = Field(
        default=None, description="a read that refreshes data before each check"
    )
    check_at: list[Duration] = Field(
        default_factory=list,
        description="when to check, counted from the start of the wait, such as [7d, 14d, 30d]",
    )
    check_every: Duration | None = Field(default=None, description="check at this interval instead")
    timeout: Duration | None = Field(default=None, description="give up waiting after this long")
    while_waiting: ActionCall | None = Field(
        default=None, description="an action run at each check that finds the condition still false"
    )
    catch_up: CatchUp = "each"
    on_timeout: Outcome | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Wait:
        if (self.for_ is None) == (self.until is None):
            raise ValueError(
                "a wait needs exactly one of 'for' (a duration) or 'until' (a condition)"
            )
        if self.until is not None and not (self.check_at or self.check_every):
            raise ValueError("a wait 'until' needs 'check_at' or 'check_every' so it is re-checked")
        if self.check_at and self.check_every:
            raise ValueError("use either 'check_at' or 'check_every', not both")
        return self


class WaitStep(StepBase):
    """Pause the run; the clock wakes it."""

    wait: Wait
    on_failure: FailureRule | None = Field(
        default=None, description="for the refresh and while_waiting actions"
    )


RunResult = Annotated[
    dict[Identifier, Any],
    Field(
        description="the run's result values, such as {decision: suspend, risk: medium}: "
        "literals or {{ templates }} (one whole {{ }} keeps its type), shown by /sop status, "
        "in the audit and checked by scenarios"
    ),
]


class Escalation(SopModel):
    """Hand the run to a person with everything known so far."""

    to: list[DynamicTarget] = Field(
        default_factory=list, description="who takes over (default: the procedure's escalation)"
    )
    reason: Template = Field(description="why it escalated, in one line")
    context: dict[str, Template] = Field(
        default_factory=dict, description="extra facts for the handoff"
    )
    continue_: bool = Field(
        default=False,
        alias="continue",
        description="keep running after notifying (default: the run ends escalated)",
    )
    result: RunResult = Field(default_factory=dict)


class EscalateStep(StepBase):
    """Escalate with a handoff package: inputs, facts gathered, steps done, why."""

    escalate: Escalation


class EndStep(StepBase):
    """Finish the run with a final state."""

    end: Literal["completed", "cancelled", "failed"]
    message: Template | None = None
    result: RunResult = Field(default_factory=dict)


STEP_KINDS: dict[str, type[StepBase]] = {
    "action": ActionStep,
    "set": SetStep,
    "decide": DecideStep,
    "prepare": PrepareStep,
    "approval": ApprovalStep,
    "task": TaskStep,
    "draft": DraftStep,
    "choose": ChooseStep,
    "judge": JudgeStep,
    "wait": WaitStep,
    "escalate": EscalateStep,
    "end": EndStep,
}


def step_kind(value: Any) -> str | None:
    """Tell a step's kind from the one kind key it carries (None when there is none)."""
    if isinstance(value, StepBase):
        return next(kind for kind, model in STEP_KINDS.items() if isinstance(value, model))
    if isinstance(value, dict):
        found = [kind for kind in STEP_KINDS if kind in value]
        return found[0] if len(found) == 1 else None
    return None


Step = Annotated[
    Annotated[ActionStep, Tag("action")]
    | Annotated[SetStep, Tag("set")]
    | Annotated[DecideStep, Tag("decide")]
    | Annotated[PrepareStep, Tag("prepare")]
    | Annotated[ApprovalStep, Tag("approval")]
    | Annotated[TaskStep, Tag("task")]
    | Annotated[DraftStep, Tag("draft")]
    | Annotated[ChooseStep, Tag("choose")]
    | Annotated[JudgeStep, Tag("judge")]
    | Annotated[WaitStep, Tag("wait")]
    | Annotated[EscalateStep, Tag("escalate")]
    | Annotated[EndStep, Tag("end")],
    Discriminator(
        step_kind,
        custom_error_type="step_kind",
        custom_error_message=(
            "a step needs exactly one kind key: action, set, decide, prepare, approval, task, "
            "draft, choose, judge, wait, escalate or end"
        ),
    ),
]
