"""A sender that trickles its body (a slow-loris) is cut off at the deadline with 408, on
the webhook routes and on Slack's path alike, instead of holding the connection forever."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import MutableMapping
from typing import Any

from slack_bolt import App
from sqlalchemy import func, select

from bot.clock.time import ManualClock
from handlers.http import SopbotAsgi
from handlers.webhooks.receiver import Webhooks
from storage.database import Database
from storage.models import InboundKey

DEADLINE = 0.05
"""Seconds the test server gives a body; the real default is ten."""


def _trickle(path: str, asgi: Any) -> list[MutableMapping[str, Any]]:
    """Send the first bytes of a body, then nothing more; what the server answered."""
    sent: list[MutableMapping[str, Any]] = []
    first = True

    async def receive() -> MutableMapping[str, Any]:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b'{"type": "order', "more_body": True}
        await asyncio.Event().wait()  # the rest never comes
        raise AssertionError("unreachable")

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": []}
    asyncio.run(asyncio.wait_for(asgi(scope, receive, send), timeout=5))
    return sent


def test_a_webhook_body_that_does_not_arrive_in_time_is_refused_and_nothing_taken(
    database: Database,
) -> None:
    webhooks = Webhooks(
        database,
        ManualClock(dt.datetime(2026, 12, 7, tzinfo=dt.UTC)),
        {"orders": "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
        body_seconds=DEADLINE,
    )
    bolt = App(token="xoxb-unused", signing_secret="unused", token_verification_enabled=False)
    asgi = SopbotAsgi(bolt, lambda: None, webhooks=webhooks, body_seconds=DEADLINE)
    try:
        sent = _trickle("/webhooks/orders", asgi)
    finally:
        asgi.close()
        webhooks.close()

    assert sent[0]["status"] == 408
    assert b"took over 0.05 s to arrive" in sent[1]["body"]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(InboundKey)) == 0


def test_a_slack_request_that_does_not_arrive_in_time_is_refused_not_dispatched() -> None:
    bolt = App(token="xoxb-unused", signing_secret="unused", token_verification_enabled=False)
    dispatched: list[object] = []
    bolt.use(lambda req, resp, next: dispatched.append(req))
    asgi = SopbotAsgi(bolt, lambda: None, body_seconds=DEADLINE)
    try:
        sent = _trickle("/slack/events", asgi)
    finally:
        asgi.close()

    assert sent[0]["status"] == 408
    assert dispatched == []
