"""The messages a caller opens a conversation with, typed as the openai client wants them."""

from __future__ import annotations

from openai.types.chat import (
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)

Message = ChatCompletionMessageParam


def system(text: str) -> ChatCompletionSystemMessageParam:
    """The instructions: what the model is for and what it may do."""
    return {"role": "system", "content": text}


def user(text: str) -> ChatCompletionUserMessageParam:
    """What the model is asked (a person's words, a step's facts)."""
    return {"role": "user", "content": text}
