"""The limits around a procedure: permitted actions, argument limits, text rules, SLA
clocks, the default escalation and the review cadence."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from bot.procedure.constants import LimitChoices, LimitCount, LimitNumber
from bot.procedure.steps import ActionCall
from bot.procedure.types import (
    Condition,
    Duration,
    DynamicTarget,
    OperationName,
    SopModel,
    StepId,
    Target,
    Template,
)


class ArgumentLimit(SopModel):
    """A hard limit on one argument, enforced at the connector boundary on every call."""

    max: LimitNumber | None = None
    min: LimitNumber | None = None
    max_length: LimitCount | None = None
    pattern: str | None = Field(
        default=None, description="the whole value must match this expression"
    )
    one_of: LimitChoices = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> ArgumentLimit:
        if (
            self.max is None
            and self.min is None
            and self.max_length is None
            and self.pattern is None
            and not self.one_of
        ):
            raise ValueError(
                "a limit needs at least one of max, min, max_length, pattern or one_of"
            )
        return self


class Permissions(SopModel):
    """What the procedure may do: an allowlist, a denylist and argument limits."""

    allow: list[OperationName] = Field(
        default_factory=list, description="operations this procedure may call"
    )
    never: list[OperationName] = Field(
        default_factory=list, description="operations that are never allowed"
    )
    limits: dict[OperationName, dict[str, ArgumentLimit]] = Field(
        default_factory=dict, description="operation: {argument: limit}"
    )


class RequiredDisclosure(SopModel):
    """Text that must be present in outgoing messages of the listed operations."""

    text: str = Field(min_length=1)
    applies_to: list[OperationName] = Field(
        default_factory=list, description="default: every outgoing text"
    )


class Guardrails(SopModel):
    """Tone and compliance rules checked on every outgoing text."""

    forbidden_phrases: list[str] = Field(default_factory=list, description="never sent, any case")
    required_disclosures: list[RequiredDisclosure] = Field(default_factory=list)


class SlaEscalation(SopModel):
    """One link of an SLA escalation chain."""

    after: Duration | Literal["breach"] = Field(
        description="time since the clock started, or breach"
    )
    unless: Condition | None = Field(default=None, description="skip this link when true")
    to: list[DynamicTarget] = Field(min_length=1)
    message: Template | None = None
    actions: list[ActionCall] = Field(
        default_factory=list, description="actions run at this link, such as a CRM flag"
    )


class SlaClock(SopModel):
    """A deadline that starts with the run when its condition holds."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    applies_when: Condition | None = Field(
        default=None, description="start this clock only when true"
    )
    deadline: Duration
    stops_at: StepId = Field(description="the clock stops when the run completes this step")
    warn_before: list[Duration] = Field(default_factory=list, description="warnings before breach")
    escalations: list[SlaEscalation] = Field(default_factory=list)


class DefaultEscalation(SopModel):
    """Where an 'escalate' outcome goes when it names no target."""

    to: list[Target] = Field(min_length=1)


class Review(SopModel):
    """An SOP nobody revisits is a defect: when it was last reviewed and how often."""

    every: Duration
    last_reviewed: dt.date

    @property
    def due(self) -> dt.date:
        """The date the next review is due."""
        return self.last_reviewed + self.every
