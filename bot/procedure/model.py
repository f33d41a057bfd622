"""The whole procedure: identity, trigger, inputs, roles, steps and the policies around them."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

from pydantic import Field, GetJsonSchemaHandler, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from bot.procedure.constants import ConstantValue, resolve_limits
from bot.procedure.includes import INCLUDE_SCHEMA
from bot.procedure.inputs import InputSpec
from bot.procedure.policies import DefaultEscalation, Guardrails, Permissions, Review, SlaClock
from bot.procedure.steps import Step
from bot.procedure.triggers import Trigger
from bot.procedure.types import SOP_ID_PATTERN, Identifier, SopModel, Target

Mode = Literal["shadow", "assist", "autonomous"]


class Procedure(SopModel):
    """One SOP file. The steps run in order unless a step says where to go next."""

    id: str = Field(pattern=SOP_ID_PATTERN, description="kebab-case id, unique in sops/")
    title: str = Field(min_length=1)
    description: str | None = None
    owner: Target = Field(description="the Slack user or group that keeps this procedure current")
    version: int = Field(
        ge=1, description="raise it on every change; runs pin the exact content anyway"
    )
    review: Review
    mode: Mode = Field(
        default="shadow",
        description="shadow: record writes as 'would do'; assist: every write waits for approval; "
        "autonomous: runs alone",
    )
    trigger: Trigger
    inputs: dict[Identifier, InputSpec] = Field(default_factory=dict)
    roles: dict[Identifier, list[Target]] = Field(
        default_factory=dict,
        description="named groups of Slack user or group IDs, used as role:NAME",
    )
    constants: dict[Identifier, ConstantValue] = Field(
        default_factory=dict,
        description="named values (limits, windows, thresholds, switches) written once: "
        "expressions read constants.NAME, and permissions.limits may say max: constants.NAME",
    )
    permissions: Permissions = Field(default_factory=Permissions)
    guardrails: Guardrails = Field(default_factory=Guardrails)
    escalation: DefaultEscalation | None = Field(
        default=None, description="where 'escalate' goes when a rule names no target"
    )
    sla: list[SlaClock] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Editors must accept ``- include: FILE`` in the step list (the loader expands it)."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        steps = schema["properties"]["steps"]
        steps["items"] = {"anyOf": [steps["items"], INCLUDE_SCHEMA]}
        return schema

    @model_validator(mode="before")
    @classmethod
    def _resolve_constants(cls, data: Any) -> Any:
        """Limits that name a constant take its value, so the boundary checks numbers."""
        return resolve_limits(data)

    def step_index(self) -> dict[str, int]:
        """Map each step id to its position (the first wins when ids repeat)."""
        return self._step_positions

    @cached_property
    def _step_positions(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for position, step in enumerate(self.steps):
            index.setdefault(step.id, position)
        return index
