"""A team's own CRM client for the built-in ``crm`` namespace: a stand-in for the outside
tool that knows one order and remembers every call it performed."""

from __future__ import annotations

from typing import Any

from bot.catalogue.operation import ConnectorServices, Operation
from bot.connectors.base import ToolError

ORDER = {
    "id": "7001",
    "account_id": "ledger",
    "total": 12.5,
    "currency": "EUR",
    "status": "paid",
    "customer_email": "buyer@ledger.example",
}


class LedgerCrm:
    def __init__(self, namespaces: tuple[str, ...]) -> None:
        self.namespaces = namespaces
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        self.calls.append((operation.name, arguments))
        if operation.name == "crm.get_order" and arguments["order_id"] == ORDER["id"]:
            return dict(ORDER)
        raise ToolError(f"the ledger CRM cannot answer {operation.name} {arguments}")


def connect(services: ConnectorServices) -> LedgerCrm:
    return LedgerCrm(services.namespaces)


NOT_A_FACTORY = "crm"


def failing(services: ConnectorServices) -> LedgerCrm:
    raise ConnectionError("the ledger CRM refused the login")
