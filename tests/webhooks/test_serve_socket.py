"""The socket ``sopbot serve`` listens on hands out connections that send each answer at
once: without TCP_NODELAY, an answer written in two parts (headers, then body) on a
keep-alive connection waits about 40 ms for the client's delayed ACK, which capped a
webhook sender or Slack at about 25 requests a second per connection."""

from __future__ import annotations

import socket

from bot.cli.serve_cmd import listen


def test_accepted_connections_do_not_wait_to_batch_small_writes() -> None:
    listening = listen("127.0.0.1", 0)
    with listening, socket.create_connection(listening.getsockname()[:2]) as _client:
        accepted, _address = listening.accept()
        with accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
