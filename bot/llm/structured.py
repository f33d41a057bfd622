"""Answers in a declared shape: a pydantic model sent as a JSON Schema (as the response
format the server takes, or in the instructions for a server that takes none), and the
answer parsed back into it. What does not validate is refused with a message the model can
act on (the repair try)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, TypeVar

import openai
from openai.types.chat import (
    ChatCompletionMessage,
    ChatCompletionMessageParam,
    ChatCompletionUserMessageParam,
)
from pydantic import BaseModel, ValidationError

from bot.llm.settings import ResponseFormat
from bot.llm.transport import InvalidAnswer

Answer = TypeVar("Answer", bound=BaseModel)

_MOST_PROBLEMS = 8


def strict_schema(shape: type[BaseModel]) -> dict[str, Any]:
    """``shape``'s JSON Schema in the form strict structured outputs accept (every property
    required, no extra ones, references inlined where they carry more), as the openai
    library makes it for its own helpers."""
    return dict(openai.pydantic_function_tool(shape)["function"]["parameters"])


def asking(
    shape: type[BaseModel],
    messages: Sequence[ChatCompletionMessageParam],
    how: ResponseFormat,
) -> tuple[list[ChatCompletionMessageParam], dict[str, Any]]:
    """The messages and request options that ask for ``shape`` the way the server takes it.

    With ``json_schema`` the server holds the model to the schema and the messages are sent
    as they are. Otherwise the schema is also written into the instructions: a server in
    ``json_object`` mode may only hold the model to some JSON, and in ``prompt`` mode the
    instructions are all the model has."""
    schema = strict_schema(shape)
    if how is ResponseFormat.JSON_SCHEMA:
        named = {"name": shape.__name__, "schema": schema, "strict": True}
        return list(messages), {"response_format": {"type": "json_schema", "json_schema": named}}
    told = _with_instruction(
        messages,
        "Answer with only one JSON object, no other text, that matches this JSON Schema:\n"
        + json.dumps(schema, ensure_ascii=False),
    )
    if how is ResponseFormat.JSON_OBJECT:
        return told, {"response_format": {"type": "json_object", "schema": schema}}
    return told, {}


def _with_instruction(
    messages: Sequence[ChatCompletionMessageParam], instruction: str
) -> list[ChatCompletionMessageParam]:
    """``messages`` with ``instruction`` at the end of the first system message (one is
    opened when there is none): some chat templates take a single system turn, first."""
    sent = list(messages)
    first = sent[0] if sent else None
    if first is not None and first["role"] == "system" and isinstance(first["content"], str):
        sent[0] = {"role": "system", "content": f"{first['content']}\n\n{instruction}"}
    else:
        sent.insert(0, {"role": "system", "content": instruction})
    return sent


def parse(shape: type[Answer], message: ChatCompletionMessage) -> Answer:
    """The message's content as ``shape``; ``InvalidAnswer`` naming what is wrong."""
    if message.content is None:
        raise InvalidAnswer(
            f"There was no answer; answer with one {shape.__name__}.", "Empty", None
        )
    try:
        return shape.model_validate_json(message.content)
    except ValidationError as error:
        relaxed = _relaxed(message.content) if _kind(error) == "InvalidJSON" else None
        if relaxed is None:
            raise InvalidAnswer(_problems(shape, error), _kind(error), message.content) from None
    try:
        return shape.model_validate_json(relaxed)
    except ValidationError as error:
        raise InvalidAnswer(_problems(shape, error), _kind(error), message.content) from None


_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n(.*)\n\s*```$", re.DOTALL)


def _relaxed(content: str) -> str | None:
    """``content`` as strict JSON when it is JSON but for what smaller models and servers
    without a schema often add: a code fence around it, or a line break written raw inside
    a string. ``None`` when it is not JSON even so (NaN and Infinity stay refused, and so
    does nesting deeper than Python's own parser goes)."""
    fenced = _FENCE.match(content.strip())
    try:
        data = json.loads(
            fenced.group(1) if fenced else content, strict=False, parse_constant=_refuse
        )
    except (ValueError, RecursionError):
        return None
    return json.dumps(data)


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _kind(error: ValidationError) -> str:
    """``InvalidJSON`` for text that is not JSON, ``SchemaViolation`` for the wrong shape."""
    return "InvalidJSON" if error.errors()[0]["type"] == "json_invalid" else "SchemaViolation"


def _problems(shape: type[BaseModel], error: ValidationError) -> str:
    """What to fix, one line per problem, without echoing the answer's values."""
    found = error.errors(include_url=False, include_input=False, include_context=False)
    lines = [
        f"- {'.'.join(str(part) for part in item['loc']) or '(the whole answer)'}: {item['msg']}"
        for item in found[:_MOST_PROBLEMS]
    ]
    return f"The answer is not a valid {shape.__name__}:\n" + "\n".join(lines)


def repair_request(invalid: InvalidAnswer) -> ChatCompletionUserMessageParam:
    """The message that asks for the answer again, saying what was wrong with it."""
    return {
        "role": "user",
        "content": (
            f"{invalid.problem}\nAnswer again with only the JSON object the response format "
            "asks for."
        ),
    }
