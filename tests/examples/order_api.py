"""A stand-in for Acme's order system on pytest-httpserver, speaking the REST API the example
connector (``examples/order-system``) calls: orders and their lines, replacements that honour
an ``Idempotency-Key``, cancellation. It keeps every request it answered, so a test sees what
reached the tool."""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

TOKEN = "ord-tok-5c1e9a7d3b42"
BASE_PATH = "/api/v2"
_ROUTE = re.compile(r"^/api/v2/orders/(?P<order>[^/]+)(?P<rest>/lines|/replacements|/cancel)?$")


@dataclass(frozen=True)
class Seen:
    """One request the order system answered."""

    method: str
    path: str
    idempotency_key: str | None


def _orders() -> dict[str, dict[str, Any]]:
    customer = "priya@initech.example"
    return {
        "A-1042": {"order_id": "A-1042", "status": "delivered", "customer_email": customer,
                   "total": 89.5, "currency": "EUR"},
        "A-1043": {"order_id": "A-1043", "status": "open", "customer_email": customer,
                   "total": 12.0, "currency": "EUR"},
    }  # fmt: skip


@dataclass
class OrderApi:
    """The order system's state. ``lose_answers``: how many of the next replacements are
    created but answered 503, as a gateway that lost the order system's answer."""

    url: str
    orders: dict[str, dict[str, Any]] = field(default_factory=_orders)
    lines: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {
            "A-1042": [{"sku": "SKU-1001", "description": "Kettle", "quantity": 1}],
            "A-1043": [{"sku": "SKU-2002", "description": "Mug", "quantity": 2}],
        }
    )
    replacements: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    lose_answers: int = 0
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: Request) -> Response:
        """Answer one request as the order system would."""
        key = request.headers.get("Idempotency-Key")
        path = request.environ["RAW_URI"].split("?", 1)[0]  # as sent: %2F stays in its segment
        with self._lock:
            self.requests.append(Seen(request.method, path, key))
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return _json(401, {"message": "invalid or expired token"})
            route = _ROUTE.match(path)
            if route is None:
                return _json(404, {"message": "no such route"})
            order = self.orders.get(unquote(route["order"]))
            if order is None:
                return _json(404, {"message": f"no order {unquote(route['order'])}"})
            rest = route["rest"]
            if request.method == "GET" and rest is None:
                return _json(200, order)
            if request.method == "GET" and rest == "/lines":
                return _json(
                    200, {"order_id": order["order_id"], "lines": self.lines[route["order"]]}
                )
            if request.method == "POST" and rest == "/replacements":
                return self._replace(order, request.get_json(), key)
            if request.method == "POST" and rest == "/cancel":
                if order["status"] not in {"open", "cancelled"}:
                    return _json(409, {"message": f"order {order['order_id']} has shipped"})
                order["status"] = "cancelled"
                return _json(200, order)
            return _json(405, {"message": "no such operation"})

    def _replace(self, order: dict[str, Any], body: Any, key: str | None) -> Response:
        if key is not None and key in self.replacements:
            return _json(200, self.replacements[key])
        number = next(self._numbers)
        replacement = {"replacement_id": f"R-{number}", "order_id": order["order_id"],
                       "status": "open", "skus": body["skus"], "reason": body["reason"]}  # fmt: skip
        self.replacements[key or replacement["replacement_id"]] = replacement
        if self.lose_answers > 0:
            self.lose_answers -= 1
            return _json(503, {"message": "upstream did not answer"})
        return _json(201, replacement)


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def serve(httpserver: HTTPServer) -> OrderApi:
    """The order system at ``httpserver``'s ``/api/v2`` until the test ends."""
    api = OrderApi(httpserver.url_for(BASE_PATH))
    httpserver.expect_request(re.compile(f"^{BASE_PATH}/")).respond_with_handler(api.handle)
    return api
