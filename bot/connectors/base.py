"""The error every connector raises when its tool refuses or fails a call.

What a connector is (``Connector``) and how one is built (``ConnectorFactory``) are declared
beside the operations, in ``bot.catalogue.operation``.
"""

from __future__ import annotations


class ToolError(Exception):
    """A tool refused or failed a call. ``retryable`` marks outages, timeouts and 429s."""

    def __init__(
        self, message: str, *, retryable: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
