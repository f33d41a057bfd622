"""What every runtime connector provides, and the errors it may raise.

The engine calls ``invoke`` only after the guardrails have passed the call; a connector
never decides what is allowed.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.catalogue.operation import Operation


class ToolError(Exception):
    """A tool refused or failed a call. ``retryable`` marks outages, timeouts and 429s."""

    def __init__(
        self, message: str, *, retryable: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Connector(Protocol):
    """Performs the operations of one or more namespaces."""

    namespaces: tuple[str, ...]

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Perform one validated call and return the result as plain JSON-able data."""
        ...
