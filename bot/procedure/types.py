"""Field types shared by every part of the procedure model.

Each type carries its JSON Schema, so editors complete and check SOP files with the same
rules the loader applies.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel as _PydanticBase
from pydantic import BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from bot.identity import CHANNEL_ID, CHANNEL_NAME, GROUP_ID, USER_ID
from bot.procedure.durations import DURATION_PATTERN, format_duration, parse_duration


class SopModel(_PydanticBase):
    """Base of every SOP node: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, defer_build=True, allow_inf_nan=False
    )


def _to_timedelta(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, bool):
        raise ValueError("a duration is text such as 30s, 15m, 2h or 7d, not true/false")
    if isinstance(value, int):
        raise ValueError(
            f"'{value}' has no unit; write a duration such as {value}s, {value}m, {value}h or {value}d"
        )
    return value


Duration = Annotated[
    timedelta,
    BeforeValidator(_to_timedelta),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": DURATION_PATTERN, "examples": ["30s", "15m", "2h", "7d"]}
    ),
]

IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"
SOP_ID_PATTERN = r"^[a-z][a-z0-9-]*$"

Identifier = Annotated[
    str,
    Field(
        pattern=IDENTIFIER_PATTERN,
        description="lower_snake_case name: letters, digits and underscores",
    ),
]

StepId = Annotated[
    str,
    Field(pattern=IDENTIFIER_PATTERN, description="the id of a step in this procedure"),
]


def _condition_text(value: Any) -> Any:
    """``when: false`` in YAML is a boolean; as a condition it means the expression false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


Condition = Annotated[
    str,
    BeforeValidator(_condition_text),
    Field(
        min_length=1,
        description=(
            "an expression, without braces, that is true or false, such as "
            '"inputs.amount > 500"; names resolve against inputs, saved outputs and built-ins'
        ),
    ),
]

Template = Annotated[
    str,
    Field(
        description=(
            "text with {{ expressions }}; a value that is one whole {{ expression }} keeps its type"
        )
    ),
]

TARGET_PATTERN = (
    rf"^({USER_ID}|{GROUP_ID}|{CHANNEL_ID}|{CHANNEL_NAME}|role:[a-z][a-z0-9_]*|starter)$"
)

Target = Annotated[
    str,
    Field(
        pattern=TARGET_PATTERN,
        description=(
            "who or where: a Slack user ID (U…/W…), a user group ID (S…), a channel ID (C…/G…) "
            "or #channel-name, role:NAME from this procedure's roles, or starter "
            "(the person who started the run); never a display name"
        ),
    ),
]

DYNAMIC_TARGET_PATTERN = r"^(\{\{.+\}\}|" + TARGET_PATTERN[2:]

DynamicTarget = Annotated[
    str,
    Field(
        pattern=DYNAMIC_TARGET_PATTERN,
        description=(
            "a target as above, or one {{ expression }} that gives a Slack ID at run time, "
            "such as {{ employee.supervisor }}"
        ),
    ),
]

OPERATION_NAME_PATTERN = r"^[a-z][a-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$"
"""``namespace.operation``: a lower_snake_case namespace (the connector's), then the tool's
own name as it spells it: camelCase and further dots allowed (``shop.orders.getOrder``)."""

OperationName = Annotated[
    str,
    Field(
        pattern=OPERATION_NAME_PATTERN,
        description=(
            "a connector operation such as jira.create_issue, email.send or "
            "shop.orders.getOrder (the tool's own spelling after the namespace)"
        ),
    ),
]
