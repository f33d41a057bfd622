"""Tool stubs at the connector boundary: a Connector in front of every namespace's connector
(the sandbox, or whichever the settings chose) that answers or fails the next calls of an
operation as a scenario planned, and passes the rest through.

The engine cannot tell it from a real tool: its retries, backoff, 429 handling and failure
rules run exactly as they would against a flaky service.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.catalogue.operation import Connector, Operation, ValueResult
from bot.connectors.base import ToolError
from bot.scenarios.model import ToolStub


@dataclass
class _Planned:
    stub: ToolStub
    passing: int  # calls still let through to the tool first
    remaining: int | None  # None: every call from now on


class StubbedTools:
    """The ``Connector`` for every namespace, with planned answers and failures; a stub
    answers even for a namespace that is declared only (no connector performs it)."""

    def __init__(self, connectors: Mapping[str, Connector], namespaces: Iterable[str]) -> None:
        self.namespaces = tuple(namespaces)
        self._connectors = dict(connectors)
        self._plans: dict[str, deque[_Planned]] = {}
        self._lock = threading.Lock()

    def plan(self, operation: str, stubs: list[ToolStub]) -> None:
        """Queue ``stubs`` for the next calls of ``operation``, after any planned before."""
        with self._lock:
            queue = self._plans.setdefault(operation, deque())
            queue.extend(_Planned(stub, stub.after, stub.times) for stub in stubs)

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> Any:
        """Answer or fail as planned, else let the namespace's connector perform the call."""
        stub = self._take(operation.name)
        if stub is None:
            return self._perform(operation, arguments, idempotency_key)
        if stub.answer is not None:
            return tool_answer(operation, stub.answer)
        if stub.performed:  # the tool acted; only its answer is lost
            self._perform(operation, arguments, idempotency_key)
        raise planned_error(operation.name, stub)

    def _perform(self, operation: Operation, arguments: dict[str, Any], key: str | None) -> Any:
        connector = self._connectors.get(operation.namespace)
        if connector is None:  # as the engine says when no stub stands in front
            raise ToolError(f"no connector is configured for '{operation.namespace}'")
        return connector.invoke(operation, arguments, idempotency_key=key)

    def _take(self, operation: str) -> ToolStub | None:
        with self._lock:
            queue = self._plans.get(operation)
            if not queue:
                return None
            planned = queue[0]
            if planned.passing > 0:
                planned.passing -= 1
                return None
            if planned.remaining is not None:
                planned.remaining -= 1
                if planned.remaining == 0:
                    queue.popleft()
            return planned.stub


def planned_error(operation: str, stub: ToolStub) -> ToolError:
    """The error a failing stub raises, as a real connector would report it."""
    if stub.fail == "rate_limit":
        wait = stub.retry_after.total_seconds() if stub.retry_after else None
        text = stub.message or f"{operation}: 429 too many requests"
        return ToolError(text, retryable=True, retry_after=wait)
    if stub.fail == "timeout":
        return ToolError(stub.message or f"{operation}: no answer in time", retryable=True)
    if stub.fail == "outage":
        return ToolError(stub.message or f"{operation}: 503 service unavailable", retryable=True)
    return ToolError(stub.message or f"{operation}: refused by the tool", retryable=False)


def tool_answer(operation: Operation, answer: Any) -> Any:
    """The answer as the tool would give it. A scenario may write the result of a tool that
    answers a list or a value as the SOP reads it, ``{value: [...]}``; the engine wraps a
    tool's bare answer itself, so it is unwrapped here rather than wrapped twice."""
    if isinstance(answer, dict):
        if issubclass(operation.result, ValueResult) and answer.keys() == {"value"}:
            return answer["value"]
        return dict(answer)
    return answer
