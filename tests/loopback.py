"""The loopback HTTP server the fakes of remote APIs (Slack's Web API, the chat-completions
API) share for a test session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pytest_httpserver import HTTPServer


@contextmanager
def threaded_server() -> Iterator[HTTPServer]:
    """A server on an ephemeral loopback port, stopped afterwards. Threaded, so a request a
    test leaves hanging never blocks the next one."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()
