"""One chat completion read as it arrives, so that a try ends when its time is up and a
hostile answer cannot fill the memory or reach a caller as anything but a ``ModelError``.

The openai client's timeout bounds each wait for the next bytes, not the whole request: a
server that answers at once and then sends its body a byte at a time would keep a step (and
the worker's claim on its run) waiting for as long as it likes. So every body, an error's
included (the client reads that one whole itself before sopbot sees the error), is read
through ``http_client``'s hook: the clock is checked after every chunk, and the bytes sent
against a cap. Answers are asked for unpacked; one packed anyway is capped as it unpacks (a
gzip bomb is small on the wire), an error packed anyway is not read at all; and an answer
is checked to be a chat completion before anything reads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx2
import openai
from openai.types.chat import ChatCompletionMessage, ChatCompletionMessageParam
from pydantic import ValidationError

from bot.llm.errors import ModelError

LARGEST_ANSWER = 8 * 1024 * 1024
"""Bytes of one answer: far above any structured answer or draft a step takes."""
LARGEST_ERROR = 64 * 1024
"""Bytes of an error's body as sent: its message is all sopbot reads of it."""
LARGEST_COUNT = 2**31 - 1
"""A token count above this is no count (the audit record keeps counts, never text)."""

_ends: ContextVar[float | None] = ContextVar("llm_request_ends", default=None)
"""When the try under way is over, on the endpoint's clock (set by ``complete``)."""


class OversizedAnswer(ModelError):
    """The service sent more than its cap; the rest was not read."""


@dataclass(frozen=True)
class Completion:
    """What sopbot reads of a chat completion: the first choice's message (``None`` when
    there is none), why it ended, and the token counts the service gave, when they are
    counts."""

    message: ChatCompletionMessage | None
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None


def http_client(monotonic: Callable[[], float]) -> httpx2.Client:
    """The openai client's HTTP client: every body it reads, an error's as well as an
    answer's, is read within the try's time (``complete`` sets it) and its size cap."""

    def bound(response: httpx2.Response) -> None:
        if response.headers.get("content-encoding", "identity") != "identity":
            # unasked for, and one packed chunk may unpack to gigabytes: unread, so an
            # answer is no chat completion and an error keeps only its status
            packed, response.stream = response.stream, httpx2.ByteStream(b"")
            assert isinstance(packed, httpx2.SyncByteStream), "a sync client's stream"
            packed.close()
            return
        largest = LARGEST_ANSWER if response.is_success else LARGEST_ERROR
        response.stream = _Bounded(response, largest, _ends.get(), monotonic)

    client: httpx2.Client = openai.DefaultHttpxClient(
        headers={"Accept-Encoding": "identity"}, event_hooks={"response": [bound]}
    )
    return client


class _Bounded(httpx2.SyncByteStream):
    """A response's bytes as sent, until there are more than ``largest`` or ``ends`` has
    passed; then the connection is closed and the try fails."""

    def __init__(
        self,
        response: httpx2.Response,
        largest: int,
        ends: float | None,
        monotonic: Callable[[], float],
    ) -> None:
        assert isinstance(response.stream, httpx2.SyncByteStream), "a sync client's stream"
        self._stream = response.stream
        self._request = response.request
        self._what = "an answer" if response.is_success else "an error"
        self._largest = largest
        self._ends = ends
        self._monotonic = monotonic

    def __iter__(self) -> Iterator[bytes]:
        read = 0
        for chunk in self._stream:
            read += len(chunk)
            if read > self._largest:
                self.close()
                if self._what == "an error":  # its status says enough: keep the start
                    yield chunk[: len(chunk) - (read - self._largest)]
                    return
                raise _oversized(
                    str(self._request.url.copy_with(query=None)), self._what, self._largest
                )
            if self._ends is not None and self._monotonic() > self._ends:
                self.close()
                raise openai.APITimeoutError(request=self._request)
            yield chunk

    def close(self) -> None:
        self._stream.close()


def complete(
    client: openai.OpenAI,
    *,
    model: str,
    messages: Sequence[ChatCompletionMessageParam],
    seconds: float,
    monotonic: Callable[[], float],
    options: dict[str, Any],
) -> Completion:
    """The completion, read whole within ``seconds`` (``APITimeoutError`` past them, as the
    client raises for a server that says nothing); ``OversizedAnswer`` past the size cap;
    ``APIResponseValidationError`` for an answer that is no chat completion."""
    started = _ends.set(monotonic() + seconds)
    try:
        streaming = client.chat.completions.with_streaming_response
        with streaming.create(model=model, messages=messages, timeout=seconds, **options) as answer:
            body = bytearray()
            for chunk in answer.iter_bytes():  # unpacked: the cap as sent is not enough
                body += chunk
                if len(body) > LARGEST_ANSWER:
                    raise _oversized(str(client.base_url), "an answer", LARGEST_ANSWER)
            return _completion(bytes(body), answer.http_response)
    finally:
        _ends.reset(started)


def _completion(body: bytes, response: httpx2.Response) -> Completion:
    """``body`` as a ``Completion``: its first message as the openai types describe one."""

    def refused(problem: str) -> openai.APIResponseValidationError:
        return openai.APIResponseValidationError(response, None, message=problem)

    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise refused("not JSON") from None
    choices = data.get("choices", []) if isinstance(data, dict) else None
    if not isinstance(choices, list):
        raise refused("no list of choices")
    first = choices[0] if choices else {}
    if not isinstance(first, dict):
        raise refused("a choice that is not an object")
    said = first.get("message")
    try:
        message = None if said is None else ChatCompletionMessage.model_validate(_assistant(said))
    except ValidationError as error:
        found = error.errors(include_url=False, include_input=False, include_context=False)[0]
        where = ".".join(str(part) for part in found["loc"]) or "message"
        raise refused(f"its message's {where}: {found['msg']}") from None
    usage = data.get("usage")
    counts = usage if isinstance(usage, dict) else {}
    finish = first.get("finish_reason")
    return Completion(
        message,
        finish if isinstance(finish, str) else None,
        _count(counts.get("prompt_tokens")),
        _count(counts.get("completion_tokens")),
    )


def _assistant(said: Any) -> Any:
    """``said`` with the role the openai types insist on, when the server left it out."""
    return {"role": "assistant"} | said if isinstance(said, dict) else said


def _count(value: Any) -> int | None:
    """``value`` when it is a token count, else ``None``."""
    is_count = type(value) is int and 0 <= value <= LARGEST_COUNT
    return value if is_count else None


def _oversized(service: str, what: str, largest: int) -> OversizedAnswer:
    size = f"{largest // (1024 * 1024)} MiB" if largest >= 1024 * 1024 else f"{largest // 1024} KiB"
    return OversizedAnswer(
        f"the model service at {service} sent {what} over {size}; sopbot stopped reading it"
    )
