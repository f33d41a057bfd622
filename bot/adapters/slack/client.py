"""The one way sopbot makes a ``WebClient``: the token and Web API URL from settings, and
no retries inside the client, because ``bot.adapters.slack.calls`` decides what may be
repeated (a post is looked for before it is sent again)."""

from __future__ import annotations

from slack_sdk import WebClient

TIMEOUT_SECONDS = 10
"""Long enough for a slow Slack, short enough that a hung call is given up and retried."""


def web_client(token: str, base_url: str, *, timeout: float = TIMEOUT_SECONDS) -> WebClient:
    """A client for the Web API at ``base_url`` (Slack's own, a proxy, or a test double)."""
    return WebClient(token=token, base_url=base_url, timeout=int(timeout), retry_handlers=[])
