"""Socket Mode: sopbot opens a WebSocket to Slack, so no public URL is needed.

``apps.connections.open`` (on ``SOPBOT_SLACK_API_URL``, through the process's client)
gives the socket's address; slack_sdk's built-in client keeps it open, reconnects when Slack
rotates or drops it, and acks each envelope with Bolt's answer. Several processes may
connect at once: Slack spreads the envelopes over up to 10 connections.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient

from handlers.slack.process import SlackProcess, SlackSettingProblem


def connect(process: SlackProcess, app_token: str) -> SocketModeClient:
    """A connected Socket Mode client feeding ``process``'s Bolt app; ``close`` it."""
    handler = SocketModeHandler(process.bolt, app_token=app_token, web_client=process.client)
    try:
        handler.client.connect()  # the handler's own connect() is the same call, untyped
    except SlackApiError as error:
        problem = error.response.get("error")
        raise SlackSettingProblem(
            f"SLACK_APP_TOKEN: Slack refused apps.connections.open: {problem} (an app-level "
            "token, xapp-…, with the connections:write scope; Socket Mode on in the app)"
        ) from None
    return handler.client


def serve_until_stopped(
    process: SlackProcess, app_token: str, *, connected: Callable[[], None]
) -> None:
    """Take Slack's envelopes until SIGTERM or Ctrl-C, then disconnect; ``connected`` is
    called once the socket is open.

    Both signals raise ``KeyboardInterrupt`` in the waiting main thread; a handler that only
    raises takes no lock the interrupted thread could hold.
    """
    client = connect(process, app_token)
    connected()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        client.close()


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt
