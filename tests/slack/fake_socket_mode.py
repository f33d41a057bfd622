"""A fake of Slack's Socket Mode endpoint on an ephemeral loopback port, served by the
``websockets`` library: it greets each connection with ``hello``, hands the app envelopes
(``slash_commands``, ``interactive``) as Slack does, and collects the acks the app sends
back (``{"envelope_id": …, "payload": …}``)."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from tests.slack.signed import APP_ID


class FakeSocketMode:
    """The Socket Mode side of Slack for one app connection at a time."""

    def __init__(self, port: int) -> None:
        self.url = f"ws://127.0.0.1:{port}/link/?ticket=fake-ticket&app_id={APP_ID}"
        self._connections: queue.Queue[ServerConnection] = queue.Queue()
        self._acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self._connection: ServerConnection | None = None

    def serve(self, connection: ServerConnection) -> None:
        """One app connection: greet it, then read its acks until it closes."""
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": APP_ID},
                }
            )
        )
        self._connections.put(connection)
        try:
            for message in connection:
                self._acks.put(json.loads(message))
        except ConnectionClosed:
            return

    def connected(self, timeout: float = 30.0) -> None:
        """Wait until the app has opened its socket."""
        try:
            self._connection = self._connections.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the app did not connect within {timeout:g} s") from None

    def deliver(self, kind: str, payload: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Send an envelope of ``kind`` with ``payload``; the app's ack for it."""
        assert self._connection is not None, "call connected() first"
        envelope_id = str(uuid.uuid4())
        self._connection.send(
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "payload": payload,
                    "accepts_response_payload": kind != "events_api",
                    "retry_attempt": 0,
                    "retry_reason": "",
                }
            )
        )
        while True:
            try:
                ack = self._acks.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no ack for {kind} within {timeout:g} s") from None
            if ack.get("envelope_id") == envelope_id:
                return ack


@contextmanager
def socket_mode() -> Iterator[FakeSocketMode]:
    """The fake endpoint, until the block ends."""
    fake: FakeSocketMode | None = None

    def handler(connection: ServerConnection) -> None:
        assert fake is not None
        fake.serve(connection)

    with serve(handler, "127.0.0.1", 0) as server:
        fake = FakeSocketMode(server.socket.getsockname()[1])
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield fake
        finally:
            server.shutdown()
            thread.join(timeout=10)
