"""What the order system's operations take, return and change: the declarations that
``sopbot validate`` checks SOPs against and the guardrails check every call against."""

from __future__ import annotations

from bot.catalogue.operation import Args, Operation, Result
from pydantic import Field


class OrderArgs(Args):
    order_id: str = Field(min_length=1, description="the order number, such as A-1042")


class Order(Result):
    order_id: str
    status: str = Field(description="open, shipped, delivered or cancelled")
    customer_email: str
    total: float
    currency: str


class OrderLine(Result):
    sku: str
    description: str
    quantity: int = Field(gt=0)


class OrderLines(Result):
    order_id: str
    lines: list[OrderLine]


class ReplacementArgs(Args):
    order_id: str = Field(min_length=1, description="the order whose articles are sent again")
    skus: list[str] = Field(min_length=1, description="the articles to send again, as ordered")
    reason: str = Field(min_length=1, description="printed on the packing slip")


class Replacement(Result):
    replacement_id: str = Field(description="the new order, such as R-1")
    order_id: str = Field(description="the order it replaces")
    status: str


class CancelArgs(Args):
    order_id: str = Field(min_length=1)
    reason: str = Field(min_length=1, description="shown to the customer in the cancellation")


GET_ORDER = Operation(
    "orders.get_order", "Read an order", OrderArgs, Order, writes=False, idempotent=True
)
LIST_LINES = Operation(
    "orders.list_lines",
    "List an order's lines",
    OrderArgs,
    OrderLines,
    writes=False,
    idempotent=True,
)
CREATE_REPLACEMENT = Operation(
    "orders.create_replacement",
    "Send articles of an order again, free of charge",
    ReplacementArgs,
    Replacement,
    writes=True,
    idempotent=False,
    text_args=("reason",),
    accepts_idempotency_key=True,  # the order system answers a repeated key with the first order
)
CANCEL_ORDER = Operation(
    "orders.cancel_order",
    "Cancel an order that has not shipped",
    CancelArgs,
    Order,
    writes=True,
    idempotent=True,  # cancelling a cancelled order changes nothing
    text_args=("reason",),
)
