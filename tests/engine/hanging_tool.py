"""A Jira that answers ``jira.get_issue`` only when the test opens its gate: a hung tool,
chosen with ``SOPBOT_CONNECTOR_JIRA=tests.engine.hanging_tool:connect``."""

from __future__ import annotations

import threading
from typing import Any

from bot.catalogue.operation import ConnectorServices, Operation

WAIT_LIMIT = 30.0
"""Seconds a call waits for the gate before the test is considered broken."""


class Gate:
    """Holds every call until ``release``; counts the calls that reached the tool."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.entered = threading.Semaphore(0)
        self.calls = 0
        self._lock = threading.Lock()

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
        self.entered.release()
        if not self.released.wait(WAIT_LIMIT):
            raise AssertionError("the test never released the hung tool")
        key = arguments["key"]
        return {
            "key": key,
            "summary": "Checkout fails",
            "status": "Open",
            "priority": "High",
            "url": f"https://jira.example.com/browse/{key}",
        }


GATE = Gate()


def connect(services: ConnectorServices) -> Gate:
    """The factory: the one gate, reset by the test that uses it."""
    return GATE
