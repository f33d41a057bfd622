"""Connector factories for the doctor's tests: one that builds a connector without
``check``, one that cannot start."""

from __future__ import annotations

from typing import Any

from bot.catalogue.operation import ConnectorServices, Operation


class Plain:
    """Performs nothing worth checking, and has no ``check``."""

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return {}


def connect(services: ConnectorServices) -> Plain:
    return Plain()


def broken(services: ConnectorServices) -> Plain:
    raise KeyError("SOPBOT_SECRET_CRM_TOKEN is not set")
