"""The scenario file format, for ops leads: how a run starts, what people and the outside
world do, and what the procedure must have done by then.

A file is a list of scenarios. Each starts the SOP once (a person with inputs, an event, or
the schedule firing), then works through ``then``: decisions, clock moves, outside
changes, tool stubs and expectations, in order.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from bot.identity import USER_ID
from bot.procedure.model import Mode
from bot.procedure.types import Duration, Identifier, OperationName, SopModel, StepId, Target

USER_PATTERN = rf"^{USER_ID}$"
NOT_STARTED = "not_started"
PENDING_KINDS = ("approval", "task", "choice", "nothing")
THEN_KINDS = ("approve", "reject", "complete", "choose", "wait", "change", "tools", "expect")

UserId = Annotated[str, Field(pattern=USER_PATTERN, description="a Slack user ID, such as U03SAM")]
RunState = Literal[
    "running",
    "waiting_timer",
    "waiting_approval",
    "waiting_human",
    "completed",
    "escalated",
    "rejected",
    "failed",
    "cancelled",
    "not_started",
]
FailureKind = Literal["outage", "rate_limit", "timeout", "refused"]
Opened = Literal["approval", "task", "choice"]
"""What a person's decision in a scenario acts on."""


def _times(value: Any) -> Any:
    """``times: 3`` or ``times: always`` (None: every call from now on)."""
    if value == "always":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"times is a number of calls (1 or more) or 'always', not {value!r}")
    return value


def _as_list(value: Any) -> Any:
    """One stub or a list of them, used in order."""
    return value if isinstance(value, list) else [value]


def _as_text(value: Any) -> Any:
    """Record keys read as text even when YAML sees a number (order 1042)."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _start_time(value: Any) -> Any:
    """An ISO time; without a zone it is UTC."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a time; write it like 2026-11-23T09:00Z") from None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class ToolStub(SopModel):
    """The next calls of one operation answer this way instead of the sandbox's way."""

    fail: FailureKind | None = Field(
        default=None,
        description="outage (503), rate_limit (429), timeout, or refused (not worth retrying)",
    )
    answer: dict[str, Any] | list[Any] | str | int | float | bool | None = Field(
        default=None,
        description="the result the tool gives instead (the tool does nothing): an object, "
        "or for a tool that answers a list or a value, that value or {value: ...}",
    )
    times: Annotated[int | None, BeforeValidator(_times)] = Field(
        default=1, description="for how many calls, or 'always'"
    )
    after: int = Field(
        default=0, ge=0, description="let this many calls reach the tool as usual first"
    )
    retry_after: Duration | None = Field(
        default=None, description="with rate_limit: how long the tool asks the caller to wait"
    )
    performed: bool = Field(
        default=False, description="with timeout: the tool acted before the answer was lost"
    )
    message: str | None = Field(default=None, description="the error text the tool gives")

    @model_validator(mode="after")
    def _consistent(self) -> ToolStub:
        if (self.fail is None) == (self.answer is None):
            raise ValueError("a stub either fails (fail: outage) or answers (answer: {...})")
        if self.retry_after is not None and self.fail != "rate_limit":
            raise ValueError("retry_after only applies to fail: rate_limit")
        if self.performed and self.fail != "timeout":
            raise ValueError("performed only applies to fail: timeout")
        if self.message is not None and self.fail is None:
            raise ValueError("message only applies to a stub that fails")
        return self


Stubs = dict[OperationName, Annotated[list[ToolStub], BeforeValidator(_as_list)]]


class EventStart(SopModel):
    """An inbound event, as a webhook would deliver it."""

    source: str = Field(description="jira, crm, helpdesk, calendar, ...")
    type: str = Field(description="the event type, such as ticket.created")
    payload: dict[str, Any] = Field(default_factory=dict, description="the event's fields")


class Decision(SopModel):
    """A person decides the run's open approval."""

    as_: UserId = Field(alias="as", description="who decides")
    step: StepId | None = Field(
        default=None, description="the step whose approval this decides (default: the open one)"
    )
    refused: str | None = Field(
        default=None, description="expect sopbot to refuse this decision with this text"
    )


class Rejection(Decision):
    """A person rejects, and says why."""

    reason: str = Field(min_length=1, description="why: a rejection always needs a reason")


class Completion(Decision):
    """The assignee reports the open task done (a task step's, or a draft step's text when
    no model wrote it)."""

    fields: dict[Identifier, Any] = Field(default_factory=dict, description="the task's answers")


class Pick(Decision):
    """The assignee picks an option of the open choice (a choose step's, or a judge step's
    when no sure model decided)."""

    option: str = Field(min_length=1, description="the label of the option picked")


class OutsideChange(SopModel):
    """The outside world changes one sandbox record: ``{invoice: INV-2002, set: {...}}``."""

    record: str
    key: Annotated[str, BeforeValidator(_as_text)]
    set: dict[str, Any] = Field(min_length=1, description="field: new value")

    @model_validator(mode="before")
    @classmethod
    def _from_record_key(cls, value: Any) -> Any:
        if not isinstance(value, dict) or "record" in value:
            return value
        named = [key for key in value if key != "set"]
        if len(named) != 1:
            raise ValueError(
                "a change names one record and what to set, such as "
                "{invoice: INV-2002, set: {status: paid}}"
            )
        return {"record": named[0], "key": value[named[0]], "set": value.get("set")}


class ActionMatch(SopModel):
    """One tool action, with a subset of its arguments: ``{crm.refund: {amount: 640}}``."""

    operation: OperationName
    arguments: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"operation": value}
        if isinstance(value, dict) and len(value) == 1 and "operation" not in value:
            [(operation, arguments)] = value.items()
            return {"operation": operation, "arguments": arguments or {}}
        raise ValueError(
            "an action is an operation name (crm.refund) or one operation with the "
            "arguments to check ({crm.refund: {amount: 640}})"
        )


class EscalationMatch(SopModel):
    """A handoff to people, and why."""

    to: list[Target] = Field(default_factory=list, description="each of them received it")
    reason: str | None = Field(default=None, description="text the reason contains")


class AlertMatch(SopModel):
    """An SLA warning or breach alert."""

    to: list[Target] = Field(default_factory=list, description="each of them received it")
    text: str | None = Field(default=None, description="text the alert contains")


class MessageMatch(SopModel):
    """A chat message sopbot sent (run thread, cards, reminders, alerts)."""

    to: Target | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _says_something(self) -> MessageMatch:
        if self.to is None and self.text is None:
            raise ValueError("a message needs 'to', 'text' or both")
        return self


class Expectation(SopModel):
    """What must be true at this point; every key given is checked."""

    status: RunState | None = Field(default=None, description="the run's status")
    pending: str | None = Field(
        default=None,
        description="approval, task, choice, nothing, or the step waiting for a person",
    )
    reason: str | None = Field(default=None, description="text the run's final reason contains")
    steps: list[StepId] | None = Field(default=None, description="the steps reached, in order")
    actions: list[ActionMatch] | None = Field(
        default=None, description="every write the tools performed, in order"
    )
    would_do: list[ActionMatch] | None = Field(
        default=None, description="every write shadow mode recorded instead, in order"
    )
    escalations: list[EscalationMatch] | None = Field(
        default=None, description="every escalation of the run, in order"
    )
    alerts: list[AlertMatch] | None = Field(
        default=None, description="every SLA warning and breach alert, in order"
    )
    messages: list[MessageMatch] | None = Field(
        default=None,
        description="chat messages that were sent (among others, in any order)",
    )
    saved: dict[str, Any] | None = Field(
        default=None, description="values the run saved (a subset)"
    )
    result: dict[str, Any] | None = Field(
        default=None,
        description="the run's result values, as its end or escalate step set them (a subset)",
    )
    runs: int | None = Field(default=None, ge=0, description="how many runs have started")

    @model_validator(mode="after")
    def _checks_something(self) -> Expectation:
        if not self.model_fields_set:
            raise ValueError("an expect needs at least one thing to check, such as status")
        return self


class ThenStep(SopModel):
    """One thing that happens next; exactly one key."""

    approve: Decision | None = None
    reject: Rejection | None = None
    complete: Completion | None = None
    choose: Pick | None = None
    wait: Duration | None = Field(default=None, description="move the clock on, such as 7d")
    change: OutsideChange | None = None
    tools: Stubs | None = None
    expect: Expectation | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_kind(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        if len(value) != 1 or next(iter(value)) not in THEN_KINDS:
            listed = ", ".join(map(str, value)) or "nothing"
            hint = "".join(
                f" (did you mean '{match[0]}'?)"
                for key in value
                if key not in THEN_KINDS
                and (match := difflib.get_close_matches(str(key), THEN_KINDS, n=1))
            )
            raise ValueError(
                f"a then-step is one of {', '.join(THEN_KINDS)}; this one has: {listed}{hint}"
            )
        [(kind, given)] = value.items()
        if given is None:
            raise ValueError(f"'{kind}' needs a value")
        return value

    @property
    def kind(self) -> str:
        """The one key this step has."""
        return next(iter(self.model_fields_set))


class Scenario(SopModel):
    """One start of the SOP and what follows."""

    name: str = Field(min_length=1, description="what this scenario shows, in a few words")
    as_: UserId | None = Field(default=None, alias="as", description="who starts the run")
    inputs: dict[Identifier, Any] = Field(default_factory=dict)
    event: EventStart | None = None
    schedule: Literal["next"] | None = Field(
        default=None, description="next: the SOP's schedule fires at its next time"
    )
    mode: Mode | None = Field(default=None, description="run in this mode instead of the SOP's")
    start_at: Annotated[dt.datetime | None, BeforeValidator(_start_time)] = Field(
        default=None, description="when the scenario starts (default 2026-11-23T09:00Z)"
    )
    given: list[OutsideChange] = Field(
        default_factory=list, description="changes to the sandbox records before the start"
    )
    tools: Stubs = Field(default_factory=dict, description="tool stubs from the start")
    then: list[ThenStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_start(self) -> Scenario:
        starts = [
            name
            for name, given in (
                ("as", self.as_),
                ("event", self.event),
                ("schedule", self.schedule),
            )
            if given is not None
        ]
        if len(starts) != 1:
            raise ValueError(
                "a scenario starts one way: a person (as: U02DEV, with inputs), an event, "
                f"or schedule: next; this one has {' and '.join(starts) or 'none'}"
            )
        if self.inputs and self.as_ is None:
            raise ValueError("inputs are given by a person: add as: with their Slack ID")
        if self.mode is not None and self.as_ is None:
            raise ValueError("mode can only be chosen when a person starts the run")
        return self
