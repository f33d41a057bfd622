"""Answers in a declared shape: a pydantic model sent as a JSON Schema response format, and
the answer parsed back into it. What does not validate is refused with a message the model
can act on (the repair try)."""

from __future__ import annotations

from typing import Any, TypeVar

import openai
from openai.types.chat import ChatCompletionMessage, ChatCompletionUserMessageParam
from pydantic import BaseModel, ValidationError

from bot.llm.transport import InvalidAnswer

Answer = TypeVar("Answer", bound=BaseModel)

_MOST_PROBLEMS = 8


def strict_schema(shape: type[BaseModel]) -> dict[str, Any]:
    """``shape``'s JSON Schema in the form strict structured outputs accept (every property
    required, no extra ones, references inlined where they carry more), as the openai
    library makes it for its own helpers."""
    return dict(openai.pydantic_function_tool(shape)["function"]["parameters"])


def response_format(shape: type[BaseModel]) -> dict[str, Any]:
    """The ``response_format`` that asks for ``shape``."""
    return {
        "type": "json_schema",
        "json_schema": {"name": shape.__name__, "schema": strict_schema(shape), "strict": True},
    }


def parse(shape: type[Answer], message: ChatCompletionMessage) -> Answer:
    """The message's content as ``shape``; ``InvalidAnswer`` naming what is wrong."""
    if message.content is None:
        raise InvalidAnswer(
            f"There was no answer; answer with one {shape.__name__}.", "Empty", None
        )
    try:
        return shape.model_validate_json(message.content)
    except ValidationError as error:
        raise InvalidAnswer(_problems(shape, error), _kind(error), message.content) from None


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
