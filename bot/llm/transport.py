"""One chat-completion request: sent with retries, read by the caller's reader, and
recorded exactly once whatever happens (answered, refused, invalid or unavailable)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
from openai.types.chat import ChatCompletionMessage, ChatCompletionMessageParam

from bot.llm.errors import ModelError, ModelRefused
from bot.llm.faults import unavailable
from bot.llm.reading import OversizedAnswer, complete
from bot.llm.retrying import retrying
from bot.llm.settings import ResponseFormat
from bot.llm.usage import Outcome, Recorder, Usage

T = TypeVar("T")

FILTERED = "content_filter"
"""The finish reason of an answer the service's content filter stopped (Azure)."""
CUT = "length"
"""The finish reason of an answer cut off at the token limit."""


class InvalidAnswer(ModelError):
    """The answer is not in the shape asked for: ``problem`` tells the model what to fix,
    ``said`` is the answer itself (for the repair try only: it may hold customer text)."""

    def __init__(self, problem: str, kind: str, said: str | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.kind = kind
        self.said = said


@dataclass(frozen=True)
class Endpoint:
    """The configured client and how patiently to use it; ``sleep`` and ``monotonic`` are
    replaced in tests so waits are seen, not waited."""

    client: openai.OpenAI
    """As ``Models.configured`` makes it: its HTTP client (``reading.http_client``) reads
    every body within the try's time and size."""
    timeout: float
    max_retries: int
    response_format: ResponseFormat = ResponseFormat.JSON_SCHEMA
    """How this service is asked for answers in a shape (``structured.asking``)."""
    sleep: Callable[[float], Any] = time.sleep
    monotonic: Callable[[], float] = time.monotonic

    @property
    def service(self) -> str:
        """Where requests go, as errors name it."""
        return str(self.client.base_url)


@dataclass(frozen=True)
class Request:
    """What to send, and under which feature to record it."""

    feature: str
    model: str
    messages: Sequence[ChatCompletionMessageParam]
    options: dict[str, Any]
    """Further ``chat.completions.create`` arguments: tools, tool_choice, response_format."""
    deadline: float | None = None
    """On the endpoint's ``monotonic`` clock: no try lasts past it, and none starts after."""


@dataclass(frozen=True)
class Budget:
    """A caller's whole time with a model (a step's ``budget``), over at ``deadline`` on the
    endpoint's ``monotonic`` clock: no request starts after it, and none lasts past it."""

    seconds: float
    deadline: float

    def spent(self, endpoint: Endpoint) -> bool:
        return endpoint.monotonic() >= self.deadline

    def ran_out(self, feature: str, made: str = "") -> ModelError:
        """The error a caller's offline path names: the budget ran out."""
        return ModelError(
            f"the model ({feature}) did not answer within its {self.seconds:g} s budget{made}"
        )


def send(
    endpoint: Endpoint,
    request: Request,
    *,
    record: Recorder,
    read: Callable[[ChatCompletionMessage], T],
) -> T:
    """The answer as ``read`` makes it; ``ModelRefused``, ``ModelUnavailable`` or the
    reader's ``InvalidAnswer`` otherwise."""
    started = endpoint.monotonic()
    attempts = 0

    def usage(outcome: Outcome, **measured: Any) -> Usage:
        return Usage(
            feature=request.feature,
            model=request.model,
            outcome=outcome,
            latency_ms=round((endpoint.monotonic() - started) * 1000, 1),
            attempts=attempts,
            messages=len(request.messages),
            prompt_chars=len(json.dumps(list(request.messages), default=str)),
            **measured,
        )

    def left() -> float:
        assert request.deadline is not None
        return request.deadline - endpoint.monotonic()

    bounded = request.deadline is not None
    try:
        for attempt in retrying(endpoint.max_retries, endpoint.sleep, left if bounded else None):
            with attempt:
                attempts += 1
                timeout = min(endpoint.timeout, max(left(), 0.1)) if bounded else endpoint.timeout
                completion = complete(
                    endpoint.client,
                    model=request.model,
                    messages=request.messages,
                    seconds=timeout,
                    monotonic=endpoint.monotonic,
                    options=request.options,
                )
    except OversizedAnswer:
        record(usage(Outcome.INVALID, error="Oversized"))
        raise
    except openai.OpenAIError as error:
        record(usage(Outcome.UNAVAILABLE, error=type(error).__name__))
        raise unavailable(
            error,
            service=endpoint.service,
            model=request.model,
            timeout=endpoint.timeout,
            attempts=attempts,
            asked=endpoint.response_format,
        ) from None

    message = completion.message
    measured: dict[str, Any] = {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "answer_chars": len(message.content or "") if message else 0,
    }
    if message is None:
        record(usage(Outcome.INVALID, error="NoChoices", **measured))
        raise ModelError(f"the model service at {endpoint.service} answered with no message")
    if message.refusal or completion.finish_reason == FILTERED:
        record(usage(Outcome.REFUSED, **measured))
        raise ModelRefused(request.feature, message.refusal or "the content filter stopped it")
    if completion.finish_reason == CUT and not message.tool_calls:  # a draft cut mid-sentence
        record(usage(Outcome.INVALID, error="Truncated", **measured))
        problem = "The answer was cut off at the token limit; answer again, shorter."
        raise InvalidAnswer(problem, "Truncated", message.content)
    try:
        value = read(message)
    except InvalidAnswer as invalid:
        record(usage(Outcome.INVALID, error=invalid.kind, **measured))
        raise
    record(usage(Outcome.TOOL_CALLS if message.tool_calls else Outcome.ANSWERED, **measured))
    return value
