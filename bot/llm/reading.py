"""One chat completion read as it arrives, so that a try ends when its time is up and a
hostile answer cannot fill the memory.

The openai client's timeout bounds each wait for the next bytes, not the whole request: a
server that answers at once and then sends its body a byte at a time would keep a step (and
the worker's claim on its run) waiting for as long as it likes. Reading the body here, the
clock is checked after every chunk and the size against ``LARGEST_ANSWER``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import openai
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

from bot.llm.errors import ModelError

LARGEST_ANSWER = 8 * 1024 * 1024
"""Bytes of one answer: far above any structured answer or draft a step takes."""


class OversizedAnswer(ModelError):
    """The service sent more than ``LARGEST_ANSWER``; the rest was not read."""


def complete(
    client: openai.OpenAI,
    *,
    model: str,
    messages: Sequence[ChatCompletionMessageParam],
    seconds: float,
    monotonic: Callable[[], float],
    options: dict[str, Any],
) -> ChatCompletion:
    """The completion, read whole within ``seconds`` (``APITimeoutError`` past them, as the
    client raises for a server that says nothing); ``OversizedAnswer`` past the size cap."""
    ends = monotonic() + seconds
    streaming = client.chat.completions.with_streaming_response
    with streaming.create(model=model, messages=messages, timeout=seconds, **options) as answer:
        body = bytearray()
        for chunk in answer.iter_bytes():
            body += chunk
            if len(body) > LARGEST_ANSWER:
                raise OversizedAnswer(
                    f"the model service at {client.base_url} sent an answer over "
                    f"{LARGEST_ANSWER // (1024 * 1024)} MiB; sopbot stopped reading it"
                )
            if monotonic() > ends:
                raise openai.APITimeoutError(request=answer.http_request)
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise openai.APIResponseValidationError(
                answer.http_response, body.decode(errors="replace")[:200], message="not JSON"
            )
    return ChatCompletion.construct(**data)
