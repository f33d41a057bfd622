"""Typed inputs: what a procedure needs, where each value comes from, what if it is missing."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import Field, GetJsonSchemaHandler, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from bot.procedure.types import Identifier, SopModel, Template

InputType = Literal[
    "string",
    "text",
    "integer",
    "number",
    "boolean",
    "date",
    "datetime",
    "choice",
    "email",
    "url",
    "user",
    "channel",
    "list",
    "object",
]


class InputSpec(SopModel):
    """One typed value, checked before the run starts (or before a task is accepted)."""

    type: InputType = "string"
    description: str | None = None
    required: bool = True
    default: Any = None
    choices: list[str] = Field(default_factory=list, description="the allowed values of a choice")
    pattern: str | None = Field(
        default=None, description="a regular expression the text must match"
    )
    minimum: float | None = None
    maximum: float | None = None
    items: InputSpec | None = Field(
        default=None,
        description="a list's items: a type (items: email) or a spec (default: string)",
    )
    fields: dict[Identifier, InputSpec] = Field(
        default_factory=dict, description="an object's fields, each a typed value"
    )
    from_: Template | None = Field(
        default=None,
        alias="from",
        description="where the value comes from in the trigger, such as {{ trigger.issue.key }}",
    )
    secret: bool = Field(
        default=False,
        description=(
            "a password or key: stored encrypted, shown as ••••, "
            "readable only in a tool call's arguments"
        ),
    )
    prompt: str | None = Field(
        default=None, description="the question asked when the value is missing"
    )
    if_missing: Literal["ask", "fail", "default"] = Field(
        default="ask",
        description="ask the starter in a form, fail the start, or use the default",
    )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Editors must accept a bare type (``items: email``) as well."""
        words = {"type": "string", "enum": list(get_args(InputType))}
        return {"anyOf": [words, handler(core_schema)]}

    @model_validator(mode="before")
    @classmethod
    def _type_word(cls, value: Any) -> Any:
        """``items: email`` is short for ``items: {type: email}``."""
        return {"type": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> InputSpec:
        if self.items is not None and self.type != "list":
            raise ValueError(f"'items' only applies to type 'list', not '{self.type}'")
        if self.fields and self.type != "object":
            raise ValueError(f"'fields' only applies to type 'object', not '{self.type}'")
        if self.type == "object" and not self.fields:
            raise ValueError("an input of type 'object' needs 'fields' (name: type or spec)")
        if self.type == "choice" and not self.choices:
            raise ValueError("an input of type 'choice' needs 'choices'")
        if self.choices and self.type != "choice":
            raise ValueError(f"'choices' only applies to type 'choice', not '{self.type}'")
        if self.if_missing == "default" and self.default is None:
            raise ValueError("'if_missing: default' needs a 'default' value")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum} is above maximum {self.maximum}")
        return self
