"""A scripted fake of the chat-completions API, served by pytest-httpserver on loopback, so
the real ``openai`` client (``OpenAI`` and ``AzureOpenAI``) talks to it over HTTP.

Use it through the ``fake_openai`` fixture (tests/llm/conftest.py); other test folders can
import the fixtures from there. Script answers by what the request says::

    fake_openai.on("order 1042", json_reply({"sop": "refund", "order_id": "1042"}))
    fake_openai.on("weather", tool_call("forecast", city="Paris"), text("Sunny."))
    fake_openai.on("refund", malformed(), json_reply({...}), anywhere=True)
    fake_openai.on("ddos", rate_limited(retry_after=2), text("ok"))
    models = Models.configured(fake_openai.settings(), sleep=pauses.append)

A rule matches when the last user message contains its text (``anywhere=True``: any user
message, which follows a conversation through its repair or tool turns); the first rule that
matches answers. Its replies are given in order, the last one repeating. No match is a 400,
so a test never gets an answer it did not script.

Replies: ``text``, ``json_reply``, ``malformed`` (content that is not JSON), ``tool_call`` /
``tool_calls``, ``refusal``, ``truncated`` (finish_reason ``length``), ``filtered`` (Azure's content filter
stopped it), ``raw`` (a body and headers as a
hostile or broken server sends them: an array, an SSE stream, a gzip bomb), and faults:
``rate_limited`` (429 with ``Retry-After``), ``server_error`` (500), ``hang`` (no answer
until the test ends: the client's timeout fires; no sleeps), ``drip`` (200 at once, then the
body a byte at a time until the test ends; ``dripped`` counts the bytes that went out and
``drip_ended`` is set when the client has gone; with a ``status``, an error body drips). With ``key`` set, a request with another key gets a 401
that echoes the key it sent, as OpenAI's does; a model named in ``unknown_models`` gets a
404. With ``takes_json_schema`` off, the fake is llama-cpp-python's server: a
``json_schema`` response format is a 500 that says so, and ``json_object`` takes a schema;
with ``takes_json_object`` off too, only the ``prompt`` way is answered.

Every request is kept in ``requests`` (path, query, headers, JSON body) for assertions;
token usage is counted in words, so tests can predict it.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.llm.settings import LlmSettings

PATH = re.compile(r"^(/v1|/openai/deployments/[^/]+)/chat/completions$")
KEY = "sk-test-5c1e9a07d4b2"
MODEL = "gpt-test"
CREATED = 1_796_000_000
LONGEST_HANG = 30.0
"""A safety net: a hang ends by itself if a test forgets to release it."""


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a message, or a fault."""

    content: str | None = None
    tool_calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    refusal: str | None = None
    finish_reason: str | None = None
    status: int = 200
    retry_after: float | None = None
    hang: bool = False
    drip: bool = False
    body: bytes | None = None
    """Sent as it is, instead of a chat.completion."""
    headers: tuple[tuple[str, str], ...] = ()


def text(content: str) -> Reply:
    return Reply(content=content)


def json_reply(data: Any) -> Reply:
    return Reply(content=json.dumps(data))


def malformed(content: str = '{"sop": "refund", "order_id": ') -> Reply:
    """Content that is not JSON (cut off mid-object)."""
    return Reply(content=content)


def truncated(content: str = '{"sop": "ref') -> Reply:
    """The answer ran out of tokens: cut off, with finish_reason ``length``."""
    return Reply(content=content, finish_reason="length")


def filtered(content: str | None = None) -> Reply:
    """Azure's content filter stopped the answer: what came before it, if anything."""
    return Reply(content=content, finish_reason="content_filter")


def tool_call(name: str, **arguments: Any) -> Reply:
    return Reply(tool_calls=((name, arguments),))


def tool_calls(*calls: tuple[str, dict[str, Any]]) -> Reply:
    """Several calls in one turn (parallel tool calls)."""
    return Reply(tool_calls=calls)


def refusal(reason: str = "I can't help with that.") -> Reply:
    return Reply(refusal=reason)


def rate_limited(retry_after: float = 2) -> Reply:
    return Reply(status=429, retry_after=retry_after)


def server_error() -> Reply:
    return Reply(status=500)


def hang() -> Reply:
    return Reply(hang=True)


def drip(content: str = "A slow answer.", status: int = 200) -> Reply:
    """``content`` as a normal answer (or, with an error ``status``, the error's body with
    ``content`` as its message), but sent a byte every 50 ms."""
    return Reply(content=content, drip=True, status=status)


def raw(body: bytes | str, status: int = 200, **headers: str) -> Reply:
    """``body`` as the server's whole answer, with ``headers`` (``Content_Encoding="gzip"``:
    underscores are dashes)."""
    sent = body.encode() if isinstance(body, str) else body
    named = tuple((name.replace("_", "-"), value) for name, value in headers.items())
    return Reply(status=status, body=sent, headers=named)


DRIP_PAUSE = 0.05


@dataclass
class Rule:
    contains: str
    replies: list[Reply]
    anywhere: bool
    answered: int = 0

    def matches(self, received: Received) -> bool:
        said = received.user_messages if self.anywhere else received.user_messages[-1:]
        return any(self.contains in message for message in said)

    def next(self) -> Reply:
        reply = self.replies[min(self.answered, len(self.replies) - 1)]
        self.answered += 1
        return reply


@dataclass(frozen=True)
class Received:
    """One request the fake received."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def user_messages(self) -> list[str]:
        return [_text_of(m) for m in self.messages if m.get("role") == "user"]


@dataclass
class FakeOpenAI:
    """The scripted chat-completions endpoint on ``server``."""

    server: HTTPServer
    key: str | None = KEY
    unknown_models: set[str] = field(default_factory=set)
    """Models the service answers 404 for, as OpenAI does for a name it does not have."""
    takes_json_schema: bool = True
    """Off: a ``json_schema`` response format is refused as llama-cpp-python's server does."""
    takes_json_object: bool = True
    """Off: a ``json_object`` response format is refused the same way (a server that
    constrains nothing)."""
    dripped: list[int] = field(default_factory=list)
    """Bytes each dripping answer sent before it ended."""
    drip_ended: threading.Event = field(default_factory=threading.Event)
    requests: list[Received] = field(default_factory=list)
    _rules: list[Rule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _released: threading.Event = field(default_factory=threading.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.server.expect_request(PATH, method="POST").respond_with_handler(self._handle)

    @property
    def url(self) -> str:
        """The base URL an OpenAI-compatible client takes (``…/v1``)."""
        return self.server.url_for("/v1")

    @property
    def azure_endpoint(self) -> str:
        """The endpoint an ``AzureOpenAI`` client takes."""
        return self.server.url_for("/")

    def settings(self, **overrides: Any) -> LlmSettings:
        """Settings that point sopbot at this fake: its key, a model, a 1 s timeout."""
        values: dict[str, Any] = {
            "api_key": self.key,
            "base_url": self.url,
            "model": MODEL,
            "timeout": 1.0,
            "max_retries": 2,
        }
        return LlmSettings(**(values | overrides))

    def on(self, contains: str, *replies: Reply, anywhere: bool = False) -> None:
        """Answer requests whose last user message (or any, ``anywhere``) contains
        ``contains`` with ``replies``, in order, the last one repeating."""
        with self._lock:
            self._rules.append(Rule(contains, list(replies), anywhere))

    def release(self) -> None:
        """End every hang (the fixture does it when the test ends)."""
        self._released.set()

    def _handle(self, request: Request) -> Response:
        received = Received(
            path=request.path,
            query=dict(request.args),
            headers=dict(request.headers),
            body=request.get_json(),
        )
        with self._lock:
            self.requests.append(received)
            if self.key is not None and _key_sent(received) != self.key:
                sent = _key_sent(received)
                return _error(401, f"Incorrect API key provided: {sent}.", "invalid_api_key")
            model = received.body.get("model")
            if model in self.unknown_models:
                return _error(404, f"The model `{model}` does not exist.", "model_not_found")
            refused = {
                "json_schema": not self.takes_json_schema,
                "json_object": not self.takes_json_object,
            }
            if refused.get(_format(received) or ""):
                return _llama_cpp_python_refusal()
            rule = next((rule for rule in self._rules if rule.matches(received)), None)
            reply = rule.next() if rule else None
            number = next(self._ids)
        if reply is None:
            last = received.user_messages[-1:] or ["(no user message)"]
            return _error(400, f"fake_openai: no rule matches {last[0]!r}", "no_rule")
        if reply.hang:
            self._released.wait(timeout=LONGEST_HANG)
            return _error(504, "fake_openai: released after a hang", "hang")
        if reply.body is not None:
            return Response(
                reply.body,
                status=reply.status,
                headers=dict(reply.headers),
                content_type="application/json",
            )
        if reply.drip:
            return self._drip(_body(number, received, reply), reply.status)
        if reply.status != 200:
            headers = {} if reply.retry_after is None else {"Retry-After": f"{reply.retry_after:g}"}
            return _error(reply.status, f"fake_openai: scripted {reply.status}", None, headers)
        return _json(200, _completion(number, received, reply))

    def _drip(self, body: bytes, status: int) -> Response:
        """``body`` a byte at a time; what went out is counted when the client goes."""

        def chunks() -> Iterator[bytes]:
            sent = 0
            try:
                for byte in body:
                    if self._released.wait(DRIP_PAUSE):
                        return
                    yield bytes([byte])
                    sent += 1
            finally:
                self.dripped.append(sent)
                self.drip_ended.set()

        headers = {"Content-Length": str(len(body))}
        return Response(chunks(), status=status, headers=headers, content_type="application/json")


def _body(number: int, received: Received, reply: Reply) -> bytes:
    """The completion, or for an error ``status`` the error with ``content`` as its message."""
    if reply.status == 200:
        return json.dumps(_completion(number, received, reply)).encode()
    error = {"message": reply.content, "type": "server_error", "param": None, "code": None}
    return json.dumps({"error": error}).encode()


def _format(received: Received) -> str | None:
    """The type of response format the request asked for, if any."""
    asked = received.body.get("response_format")
    return asked.get("type") if isinstance(asked, dict) else None


def _llama_cpp_python_refusal() -> Response:
    """What llama-cpp-python's server answers to ``json_schema``: its request validation
    error, as a 500."""
    message = (
        "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', "
        "'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}"
    )
    body = {
        "error": {"message": message, "type": "internal_server_error", "param": None, "code": None}
    }
    return _json(500, body)


def _completion(number: int, received: Received, reply: Reply) -> dict[str, Any]:
    """The chat.completion object, as the API writes it."""
    calls: list[dict[str, Any]] = [
        {
            "id": f"call_{number}_{index}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)},
        }
        for index, (name, arguments) in enumerate(reply.tool_calls)
    ]
    message: dict[str, Any] = {
        "role": "assistant",
        "content": reply.content,
        "refusal": reply.refusal,
        "annotations": [],
    }
    if calls:
        message["tool_calls"] = calls
    finish = reply.finish_reason or ("tool_calls" if calls else "stop")
    prompt_tokens = sum(len(_text_of(m).split()) for m in received.messages)
    answered = " ".join(
        [reply.content or reply.refusal or ""] + [c["function"]["arguments"] for c in calls]
    )
    completion_tokens = len(answered.split())
    return {
        "id": f"chatcmpl-fake{number}",
        "object": "chat.completion",
        "created": CREATED + number,
        "model": received.body.get("model", MODEL),
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": "fp_fake",
        "service_tier": "default",
    }


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content if isinstance(part, dict))


def _key_sent(received: Received) -> str:
    """The key from ``Authorization: Bearer …`` (OpenAI) or ``api-key`` (Azure)."""
    lowered = {name.lower(): value for name, value in received.headers.items()}
    if "api-key" in lowered:
        return lowered["api-key"]
    return lowered.get("authorization", "").removeprefix("Bearer ")


def _error(
    status: int, message: str, code: str | None, headers: dict[str, str] | None = None
) -> Response:
    body = {
        "error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    }
    return _json(status, body, headers)


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers or {}, content_type="application/json"
    )
