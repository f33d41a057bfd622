"""Which request of the order system's REST API performs each operation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from acme_orders.operations import CANCEL_ORDER, CREATE_REPLACEMENT, GET_ORDER, LIST_LINES


@dataclass(frozen=True)
class Call:
    """One request: the method, the path under the API's base URL, and the JSON body."""

    method: str
    path: str
    body: dict[str, Any] | None = None


def _order(arguments: Mapping[str, Any]) -> str:
    """The order's path; an id is one path segment whatever characters it holds."""
    return "/orders/" + quote(str(arguments["order_id"]), safe="")


ROUTES: dict[str, Callable[[Mapping[str, Any]], Call]] = {
    GET_ORDER.name: lambda args: Call("GET", _order(args)),
    LIST_LINES.name: lambda args: Call("GET", f"{_order(args)}/lines"),
    CREATE_REPLACEMENT.name: lambda args: Call(
        "POST", f"{_order(args)}/replacements", {"skus": args["skus"], "reason": args["reason"]}
    ),
    CANCEL_ORDER.name: lambda args: Call(
        "POST", f"{_order(args)}/cancel", {"reason": args["reason"]}
    ),
}
