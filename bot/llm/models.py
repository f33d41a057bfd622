"""The model of each feature, or none: ``Models.configured().model_for(Feature.JUDGE)`` is a
``Model`` when a service is set up and ``None`` otherwise, so every caller's offline path is
one ``if`` away.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
from openai.types.chat import ChatCompletionMessage, ChatCompletionMessageParam

from bot.audit.masking import mask_logs
from bot.llm.conversation import converse
from bot.llm.errors import ModelUnavailable
from bot.llm.reading import http_client
from bot.llm.settings import Feature, LlmSettings, ResponseFormat, load_llm_settings
from bot.llm.structured import Answer
from bot.llm.tools import Answered, Tool, ToolRunner, ToolUse
from bot.llm.transport import Budget, Endpoint, InvalidAnswer, Request, send
from bot.llm.usage import Recorder
from storage import redaction

T = TypeVar("T")

NO_KEY = "sk-no-key-required"
"""Sent to a local server that needs no key (the client insists on one; llama.cpp's
server documents this very value, vLLM and Ollama ignore it)."""


@dataclass(frozen=True)
class Model:
    """One feature's model on the configured service."""

    feature: Feature
    name: str
    endpoint: Endpoint
    answer_tokens: int
    """The most tokens one answer may take (``SOPBOT_LLM_MAX_TOKENS_<FEATURE>``)."""

    def send(
        self,
        messages: Sequence[ChatCompletionMessageParam],
        *,
        record: Recorder,
        read: Callable[[ChatCompletionMessage], T],
        deadline: float | None = None,
        **options: Any,
    ) -> T:
        """One request, as ``read`` makes its answer (the building block of the others),
        over by ``deadline`` (on the endpoint's ``monotonic`` clock) when one is given."""
        limit = token_limit(self.answer_tokens, self.endpoint.response_format)
        request = Request(self.feature, self.name, messages, limit | options, deadline)
        return send(self.endpoint, request, record=record, read=read)

    def budget(self, seconds: float) -> Budget:
        """``seconds`` from now, for one or more requests (``text``'s ``budget``)."""
        return Budget(seconds, self.endpoint.monotonic() + seconds)

    def text(
        self,
        messages: Sequence[ChatCompletionMessageParam],
        *,
        record: Recorder,
        budget: Budget | None = None,
    ) -> str:
        """A free-text answer (a draft, a summary), within ``budget`` when one is given: a
        ``ModelError`` saying it ran out once it has."""
        if budget is not None and budget.spent(self.endpoint):
            raise budget.ran_out(self.feature)
        deadline = None if budget is None else budget.deadline
        try:
            return self.send(messages, record=record, read=_text, deadline=deadline)
        except ModelUnavailable:  # a try cut short by the budget says so
            if budget is not None and budget.spent(self.endpoint):
                raise budget.ran_out(self.feature) from None
            raise

    def answer(
        self,
        messages: Sequence[ChatCompletionMessageParam],
        shape: type[Answer],
        *,
        record: Recorder,
        budget_seconds: float | None = None,
    ) -> Answer:
        """An answer parsed into ``shape``, with one repair try, all within
        ``budget_seconds`` when given."""
        return converse(self, messages, shape, record=record, budget_seconds=budget_seconds).answer

    def use_tools(
        self,
        messages: Sequence[ChatCompletionMessageParam],
        shape: type[Answer],
        tools: Sequence[Tool],
        runner: ToolRunner,
        *,
        record: Recorder,
        max_calls: int = 8,
        budget_seconds: float = 120.0,
        on_refused: Callable[[ToolUse], None] | None = None,
    ) -> Answered[Answer]:
        """An answer in ``shape`` after the tool calls the model makes through ``runner``:
        at most ``max_calls`` of them, all within ``budget_seconds``; ``on_refused`` hears
        of each refused call as it happens (also when no answer comes)."""
        return converse(
            self,
            messages,
            shape,
            record=record,
            tools=tools,
            runner=runner,
            max_calls=max_calls,
            budget_seconds=budget_seconds,
            on_refused=on_refused,
        )


def _text(message: ChatCompletionMessage) -> str:
    if not message.content:
        raise InvalidAnswer("the model's answer was empty", "Empty", None)
    return message.content


class Models:
    """Model access as configured: one client for every feature, or none at all."""

    def __init__(self, settings: LlmSettings, endpoint: Endpoint | None) -> None:
        self.settings = settings
        self._endpoint = endpoint

    @classmethod
    def configured(
        cls,
        settings: LlmSettings | None = None,
        *,
        sleep: Callable[[float], Any] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> Models:
        """From ``SOPBOT_LLM_*`` (or ``settings``); without a key or base URL, no model."""
        settings = settings or load_llm_settings()
        if not settings.configured:
            return cls(settings, None)
        key = settings.api_key_text
        if key:
            redaction.register([key])  # masked in every record, error and log line
            mask_logs()
        endpoint = Endpoint(
            _client(settings, key or NO_KEY, monotonic),
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            response_format=settings.response_format,
            sleep=sleep,
            monotonic=monotonic,
        )
        return cls(settings, endpoint)

    @property
    def available(self) -> bool:
        """True when a model service is configured."""
        return self._endpoint is not None

    def model_for(self, feature: Feature) -> Model | None:
        """``feature``'s model, or ``None``: the caller takes its offline path."""
        if self._endpoint is None:
            return None
        return Model(
            feature,
            self.settings.model_name(feature),
            self._endpoint,
            self.settings.answer_tokens(feature),
        )


def token_limit(tokens: int, how: ResponseFormat) -> dict[str, int]:
    """The request options that cap an answer at ``tokens``: ``max_completion_tokens``
    (OpenAI's name, which reasoning models require; vLLM and llama.cpp's server take it),
    and ``max_tokens`` as well for the servers the older answer formats are for
    (llama-cpp-python's server knows only that name)."""
    if how is ResponseFormat.JSON_SCHEMA:
        return {"max_completion_tokens": tokens}
    return {"max_completion_tokens": tokens, "max_tokens": tokens}


def _client(settings: LlmSettings, key: str, monotonic: Callable[[], float]) -> openai.OpenAI:
    """The openai client; retries are sopbot's own (``bot.llm.retrying``), and every body
    is read within its time and size (``bot.llm.reading``)."""
    if settings.azure:
        return openai.AzureOpenAI(
            azure_endpoint=settings.base_url or "",  # set: checked when the settings loaded
            azure_deployment=settings.azure_deployment,
            api_version=settings.azure_api_version,
            api_key=key,
            timeout=settings.timeout,
            max_retries=0,
            http_client=http_client(monotonic),
        )
    return openai.OpenAI(
        api_key=key,
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=0,
        http_client=http_client(monotonic),
    )
