"""A third-party storefront API declared as it spells itself: camelCase operation names
with dots (``storefront.orders.getOrder``), camelCase fields, and answers that are not
objects (a list of orders, a count). No renaming adapter stands between it and sopbot."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.catalogue.operation import (
    Args,
    ConnectorServices,
    ConnectorSpec,
    Operation,
    Result,
    value_result,
)
from bot.connectors.base import ToolError

ORDERS = [
    {"orderId": "A-1", "customerId": "C-7", "status": "shipped", "total": 40.0},
    {"orderId": "A-2", "customerId": "C-7", "status": "open", "total": 15.5},
]


class OrderArgs(Args):
    orderId: str = Field(description="the order's id in the storefront")  # noqa: N815


class CustomerArgs(Args):
    customerId: str  # noqa: N815


class Order(Result):
    orderId: str  # noqa: N815
    customerId: str  # noqa: N815
    status: str
    total: float


class TicketArgs(Args):
    orderId: str  # noqa: N815
    subject: str


class TicketRef(Result):
    ticketId: str  # noqa: N815


class Storefront:
    """Answers from ``ORDERS``; a list and a count come back bare, as the real API sends them."""

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> Any:
        mine = [order for order in ORDERS if order["customerId"] == arguments.get("customerId")]
        if operation.name == "storefront.orders.getOrder":
            for order in ORDERS:
                if order["orderId"] == arguments["orderId"]:
                    return dict(order)
            raise ToolError(f"no order {arguments['orderId']}")
        if operation.name == "storefront.orders.listOrders":
            return mine
        if operation.name == "storefront.orders.countOpen":
            return sum(1 for order in mine if order["status"] == "open")
        if operation.name == "storefront.tickets.openTicket":
            return {"ticketId": "T-1"}
        raise ToolError(f"the storefront cannot answer {operation.name}")


def connect(_services: ConnectorServices) -> Storefront:
    return Storefront()


SPEC = ConnectorSpec(
    namespace="storefront",
    title="Storefront API",
    operations=(
        Operation(
            "storefront.orders.getOrder",
            "Read an order",
            OrderArgs,
            Order,
            writes=False,
            idempotent=True,
        ),
        Operation(
            "storefront.orders.listOrders",
            "A customer's orders",
            CustomerArgs,
            value_result(list[Order], "OrderList"),
            writes=False,
            idempotent=True,
        ),
        Operation(
            "storefront.orders.countOpen",
            "How many of a customer's orders are open",
            CustomerArgs,
            value_result(int, "OpenCount"),
            writes=False,
            idempotent=True,
        ),
        Operation(
            "storefront.tickets.openTicket",
            "Open a support ticket about an order",
            TicketArgs,
            TicketRef,
            writes=True,
            idempotent=False,
            text_args=("subject",),
        ),
    ),
    factory=connect,
)
