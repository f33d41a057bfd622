"""Sandbox CRM orders and refunds: a refund never exceeds what remains refundable.

Amounts are kept in whole cents so that 0.1 + 0.2 never lets a refund slip past the limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.catalogue.builtin.crm import Order, Refund, RefundArgs
from bot.connectors.base import ToolError
from bot.connectors.sandbox.store import Handler, Kind, Store, iso, record_reader

ORDERS = Kind("crm.orders", "order", "CRM")


def to_cents(amount: float) -> int:
    """An amount in whole cents; refuses fractions of a cent."""
    cents = round(amount * 100)
    if abs(cents - amount * 100) > 1e-6:
        raise ToolError(f"{amount} has a fraction of a cent; amounts are in whole cents")
    return cents


def money(cents: int, currency: str) -> str:
    """``64000, 'USD'`` → ``640.00 USD``."""
    return f"{cents / 100:,.2f} {currency}"


def refund(store: Store, args: RefundArgs, now: dt.datetime) -> Refund:
    order = store.require(ORDERS, args.order_id)
    currency = order["currency"]
    remaining = to_cents(order["total"]) - to_cents(order["refunded"])
    wanted = to_cents(args.amount)
    if remaining == 0:
        raise ToolError(f"order {args.order_id} is already fully refunded")
    if wanted > remaining:
        raise ToolError(
            f"a refund of {money(wanted, currency)} is more than the {money(remaining, currency)} "
            f"that remains refundable on order {args.order_id}"
        )
    refund_id = f"RF-{store.next_number('crm.refund', now):04d}"
    order["refunds"].append(
        {"refund_id": refund_id, "amount": wanted / 100, "reason": args.reason, "at": iso(now)}
    )
    order["refunded"] = (to_cents(order["refunded"]) + wanted) / 100
    order["status"] = "refunded" if wanted == remaining else "partially_refunded"
    store.save(ORDERS, args.order_id, order, now)
    return Refund(
        refund_id=refund_id, order_id=args.order_id, amount=wanted / 100, status="succeeded"
    )


HANDLERS: Mapping[str, Handler] = {
    "crm.get_order": record_reader(ORDERS, Order, "order_id"),
    "crm.refund": refund,
}
