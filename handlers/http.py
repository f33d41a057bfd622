"""The ASGI application ``sopbot serve`` runs: Slack's requests at ``/slack/events``, a health
check at ``/healthz``, and inbound webhooks at ``/webhooks/NAME`` (``handlers.webhooks``).

Bolt's own ASGI adapter calls the synchronous ``App.dispatch`` on the event loop, so one ack
waiting on a database commit would hold every other request; here each Slack request is
dispatched on a thread pool instead. A body is counted while it arrives and refused with 413
past ``MAX_BODY_BYTES``, before Bolt parses it (Slack's own requests are a few kilobytes).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import text

from storage.database import Database
from storage.outages import describe

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
WebhookReceiver = Callable[[str, Scope, Receive, Send], Awaitable[None]]
"""Answers one delivery to the webhook named by the path after ``/webhooks/``."""

log = logging.getLogger("sopbot.http")
SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
WEBHOOKS_PREFIX = "/webhooks/"
MAX_BODY_BYTES = 1_000_000
DRAIN_BYTES = 64_000_000
"""Read and dropped at most, so the client of a refused body hears the 413."""
DISPATCH_THREADS = 32
"""Slack requests handled at once; each thread mostly waits for its listener's ack."""
BODY_SECONDS = 10.0
"""A body must have arrived by then. Slack and webhook senders send a few kilobytes at once;
a client trickling bytes (a slow-loris) would otherwise hold its connection, a thread's
worth of waiting and up to ``MAX_BODY_BYTES`` for as long as it likes."""
HEALTH_TIMEOUT_SECONDS = 2.0
"""A database that has not answered by then counts as down: a load balancer's probe must
hear back, and Slack's 3 s are not spent on the health check either."""


class BodyTooLarge(Exception):
    """The request's body is longer than the server takes."""


class BodyCutShort(Exception):
    """The client hung up before its body ended: what arrived is not the request it sent."""


class BodyTooSlow(Exception):
    """The body had not arrived by the deadline (``BODY_SECONDS``)."""


class SopbotAsgi:
    """Routes requests to the Bolt app, the health check and the webhook receiver."""

    def __init__(
        self,
        bolt: App,
        health: Callable[[], None],
        *,
        after_slack: Callable[[], None] = lambda: None,
        webhooks: WebhookReceiver | None = None,
        max_body: int = MAX_BODY_BYTES,
        body_seconds: float = BODY_SECONDS,
        threads: int = DISPATCH_THREADS,
    ) -> None:
        """``health`` raises when the process cannot serve; ``after_slack`` runs once a
        Slack request has been answered (the process wakes its worker there);
        ``webhooks`` takes ``/webhooks/NAME`` (``handlers.webhooks.receiver.Webhooks``)."""
        self._bolt = bolt
        self._webhooks = webhooks
        self._health = health
        self._after_slack = after_slack
        self._max_body = max_body
        self._body_seconds = body_seconds
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="slack-request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # the server runs with lifespan="off"
            raise TypeError(f"sopbot serves HTTP only, not {scope['type']!r}")
        path, method = scope["path"], scope["method"]
        if path == SLACK_PATH:
            if method != "POST":
                await send_json(send, 405, {"ok": False, "error": "Slack posts here; use POST"})
                return
            await self._slack(scope, receive, send)
        elif path == HEALTH_PATH:
            await self._healthz(send)
        elif path.startswith(WEBHOOKS_PREFIX) and self._webhooks is not None:
            await self._webhooks(path.removeprefix(WEBHOOKS_PREFIX), scope, receive, send)
        else:
            await send_json(
                send,
                404,
                {
                    "ok": False,
                    "error": f"nothing at {path}: Slack posts to {SLACK_PATH}, "
                    f"health checks use {HEALTH_PATH}, webhooks post to {WEBHOOKS_PREFIX}NAME",
                },
            )

    def close(self) -> None:
        """Let the requests in hand finish, then end the threads."""
        self._pool.shutdown(wait=True)

    async def _slack(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            body = await read_body(scope, receive, self._max_body, seconds=self._body_seconds)
        except BodyTooLarge:
            await send_json(
                send,
                413,
                {"ok": False, "error": f"request body over {self._max_body} bytes refused"},
            )
            return
        except BodyTooSlow:
            log.warning(
                "a Slack request's body took over %s s to arrive: refused", self._body_seconds
            )
            await send_json(
                send, 408, {"ok": False, "error": "the request body arrived too slowly"}
            )
            return
        except BodyCutShort:
            log.warning("a Slack request's client hung up before its body ended: not dispatched")
            return
        request = BoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=_headers(scope),
        )
        loop = asyncio.get_running_loop()
        response: BoltResponse = await loop.run_in_executor(
            self._pool, self._bolt.dispatch, request
        )
        await _send(send, response.status, _bolt_headers(response), response.body.encode())
        if response.status == 200:
            self._after_slack()

    async def _healthz(self, send: Send) -> None:
        loop = asyncio.get_running_loop()
        try:
            # the default pool, so a probe is answered while Slack's requests fill ours
            await asyncio.wait_for(loop.run_in_executor(None, self._health), HEALTH_TIMEOUT_SECONDS)
        except TimeoutError:
            problem = f"the database did not answer within {HEALTH_TIMEOUT_SECONDS:g} s"
        except Exception as error:
            problem = f"the database cannot be used: {describe(error)}"
        else:
            await send_json(send, 200, {"ok": True})
            return
        log.warning("health check failed: %s", problem)
        await send_json(send, 503, {"ok": False, "error": problem})


def database_health(database: Database) -> Callable[[], None]:
    """A health check that raises unless ``database`` answers a query."""

    def check() -> None:
        with database.session(read_only=True) as session:
            session.execute(text("SELECT 1"))

    return check


async def read_body(
    scope: Scope, receive: Receive, limit: int, *, seconds: float = BODY_SECONDS
) -> bytes:
    """The whole body, or ``BodyTooLarge`` past ``limit`` bytes, ``BodyCutShort`` when the
    client hung up before its end (a lying ``Content-Length`` among them), ``BodyTooSlow``
    when it has not all arrived within ``seconds``.

    Nothing past the limit is kept, but the rest is read (up to ``DRAIN_BYTES``) before the
    413 goes out: a client still sending would otherwise meet a reset connection instead of
    the answer. A body announced with ``Expect: 100-continue`` is refused before it is sent.
    """
    headers = dict(scope.get("headers", ()))
    declared = headers.get(b"content-length", b"")
    if (
        declared.isdigit()
        and int(declared) > limit
        and b"100-continue" in headers.get(b"expect", b"")
    ):
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(seconds):
            while size <= DRAIN_BYTES:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise BodyCutShort
                chunk: bytes = message.get("body", b"")
                size += len(chunk)
                if size <= limit:
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    break
    except TimeoutError:
        raise BodyTooSlow from None
    if size > limit:
        raise BodyTooLarge
    return b"".join(chunks)


def _headers(scope: Scope) -> dict[str, str | Sequence[str]]:
    """Request headers as Bolt takes them: lower-case names, each with its values."""
    found: dict[str, str | Sequence[str]] = {}
    for name, value in scope.get("headers", ()):
        key = name.decode("latin-1").lower()
        found[key] = [*found.get(key, ()), value.decode("latin-1")]
    return found


def _bolt_headers(response: BoltResponse) -> list[tuple[bytes, bytes]]:
    return [
        (name.encode("latin-1"), str(value).encode("latin-1"))
        for name, values in response.headers.items()
        for value in values
    ]


async def send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    headers = [(b"content-type", b"application/json; charset=utf-8")]
    await _send(send, status, headers, json.dumps(payload).encode())


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [item for item in headers if item[0].lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
