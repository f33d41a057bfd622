"""Misbehaviour on request: outages, 429s and timeouts that tests and demos plan ahead.

Kept in memory, per ``SandboxTools`` instance, and safe to use from the engine's threads.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from bot.connectors.base import ToolError


@dataclass(frozen=True)
class PlannedFailure:
    """One failed call. ``after_performing``: the tool acts, then the answer is lost."""

    error: ToolError
    after_performing: bool = False


class PlannedFailures:
    """Failures queued per operation, each consumed by one call."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[PlannedFailure]] = {}
        self._lock = threading.Lock()

    def plan(self, operation: str, failure: PlannedFailure, times: int) -> None:
        """The next ``times`` calls of ``operation`` fail this way (after any planned before)."""
        if times < 1:
            raise ValueError(f"times must be at least 1, not {times}")
        with self._lock:
            self._queues.setdefault(operation, deque()).extend([failure] * times)

    def take(self, operation: str) -> PlannedFailure | None:
        """The failure planned for this call, if any."""
        with self._lock:
            queue = self._queues.get(operation)
            return queue.popleft() if queue else None
