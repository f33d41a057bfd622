"""Tools a model may ask for, and what became of each call it made.

The model only asks; the caller's runner decides. A runner returns the result (anything
JSON can carry, or a pydantic model), or ``Refused`` with a reason, which the model is
told and the caller sees in ``Answered.refused`` (and, as it happens, through the
conversation's ``on_refused``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import openai
from openai.types.chat import ChatCompletionFunctionToolParam, ChatCompletionToolMessageParam
from pydantic import BaseModel, ValidationError

Answer = TypeVar("Answer", bound=BaseModel)


@dataclass(frozen=True)
class Tool:
    """A function the model may call; ``arguments`` is the shape of its arguments."""

    name: str
    description: str
    arguments: type[BaseModel]

    def param(self) -> ChatCompletionFunctionToolParam:
        """The tool as the request's ``tools`` list names it (a strict schema)."""
        return openai.pydantic_function_tool(
            self.arguments, name=self.name, description=self.description
        )


@dataclass(frozen=True)
class ToolCall:
    """One call the model asked for, its arguments already validated."""

    id: str
    tool: Tool
    arguments: BaseModel


@dataclass(frozen=True)
class Refused:
    """What a runner returns for a call it does not permit; ``reason`` goes to the model."""

    reason: str


ToolRunner = Callable[[ToolCall], Any]
"""Runs a permitted call and returns its result, or returns ``Refused``."""


@dataclass(frozen=True)
class ToolUse:
    """What became of one call: its result, or why it was refused."""

    name: str
    arguments: dict[str, Any] | None
    result: Any = None
    refused: str | None = None


@dataclass(frozen=True)
class Answered(Generic[Answer]):
    """The model's final answer and every tool call it made on the way."""

    answer: Answer
    uses: list[ToolUse] = field(default_factory=list)

    @property
    def refused(self) -> list[ToolUse]:
        """The calls that were refused (by the runner, or by sopbot: an unknown tool, bad
        arguments, the call limit)."""
        return [use for use in self.uses if use.refused is not None]


LONGEST_ARGUMENTS = 16 * 1024
"""Characters of one call's arguments: a read takes an id or a search, and what a call
takes is kept in the run's journal and sent back with every later turn."""
LONGEST_NAME = 64
"""Characters of a tool's name (OpenAI's own limit): a longer one names no tool offered,
and is sent back (in the echoed turn and its refusal) only this far."""


def sent_name(name: str) -> str:
    """``name`` as the conversation repeats it to the model."""
    return name[:LONGEST_NAME]


def perform(
    tools: dict[str, Tool], call_id: str, name: str, arguments: str, runner: ToolRunner
) -> ToolUse:
    """Validate one requested call and hand it to ``runner``."""
    tool = tools.get(name)
    if tool is None:
        cut = "…" if len(name) > LONGEST_NAME else ""
        return ToolUse(name, None, refused=f"there is no tool named '{sent_name(name)}{cut}'")
    if len(arguments) > LONGEST_ARGUMENTS:
        return ToolUse(
            name,
            None,
            refused=f"arguments over {LONGEST_ARGUMENTS // 1024} KiB; a read takes a few values",
        )
    try:
        validated = tool.arguments.model_validate_json(arguments)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "arguments"
        return ToolUse(name, None, refused=f"invalid arguments ({where}: {first['msg']})")
    outcome = runner(ToolCall(call_id, tool, validated))
    shown = validated.model_dump(mode="json", by_alias=True)  # as the model wrote them
    if isinstance(outcome, Refused):
        return ToolUse(name, shown, refused=outcome.reason)
    return ToolUse(name, shown, result=outcome)


def refuse(name: str, reason: str) -> ToolUse:
    """A call sopbot refused before any runner saw it."""
    return ToolUse(name, None, refused=reason)


def tool_message(call_id: str, use: ToolUse) -> ChatCompletionToolMessageParam:
    """The answer to one call, as the model reads it."""
    if use.refused is not None:
        content = json.dumps({"refused": use.refused})
    elif isinstance(use.result, BaseModel):
        content = use.result.model_dump_json()
    else:
        content = json.dumps(use.result, default=str)
    return {"role": "tool", "tool_call_id": call_id, "content": content}
