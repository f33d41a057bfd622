"""The installed ``acme_orders`` connector against the stand-in order system, in this
process: what each operation sends, and the ``ToolError`` each fault becomes (retried or
not, with the order system's reason), as built by its factory from the operator's settings."""

from __future__ import annotations

import datetime as dt
import importlib
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.catalogue.operation import Connector, ConnectorServices, ConnectorSpec
from bot.catalogue.registry import CatalogueError, open_connectors
from bot.connectors.base import ToolError
from bot.secrets import Secrets
from storage import redaction
from tests.examples.order_api import BASE_PATH, TOKEN, OrderApi

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def orders(installed: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ConnectorSpec]:
    """``ORDERS`` imported from where pip installed it, forgotten again afterwards."""
    monkeypatch.syspath_prepend(str(installed))
    package: ModuleType = importlib.import_module("acme_orders")
    yield package.ORDERS
    for name in [name for name in sys.modules if name.split(".")[0] == "acme_orders"]:
        del sys.modules[name]


def start(
    orders: ConnectorSpec,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    token: str = TOKEN,
    **settings: str,
) -> Connector:
    """The connector as sopbot starts it, from ``ACME_ORDERS_*`` and the configured token."""
    monkeypatch.setenv("ACME_ORDERS_URL", url)
    for name, value in settings.items():
        monkeypatch.setenv(f"ACME_ORDERS_{name.upper()}", value)
    assert orders.factory is not None
    services = ConnectorServices((), lambda: NOW, Secrets({"ACME_ORDERS_TOKEN": token}))
    return open_connectors({"orders": orders.factory}, services)["orders"]


@pytest.fixture
def connector(
    orders: ConnectorSpec, order_api: OrderApi, monkeypatch: pytest.MonkeyPatch
) -> Connector:
    return start(orders, monkeypatch, order_api.url, timeout="0.5")


def call(orders: ConnectorSpec, connector: Connector, name: str, key: str | None = None,
         **arguments: Any) -> Any:  # fmt: skip
    """Perform ``orders.<name>`` with these arguments."""
    [operation] = [op for op in orders.operations if op.name == f"orders.{name}"]
    return connector.invoke(operation, arguments, idempotency_key=key)


def test_reads_return_the_order_and_its_lines(
    orders: ConnectorSpec, connector: Connector, order_api: OrderApi
) -> None:
    order = call(orders, connector, "get_order", order_id="A-1042")
    lines = call(orders, connector, "list_lines", order_id="A-1042")

    assert order["status"] == "delivered"
    assert lines["lines"] == [{"sku": "SKU-1001", "description": "Kettle", "quantity": 1}]
    assert [seen.path for seen in order_api.requests] == [
        "/api/v2/orders/A-1042",
        "/api/v2/orders/A-1042/lines",
    ]


def test_a_repeated_idempotency_key_gets_the_first_replacement_back(
    orders: ConnectorSpec, connector: Connector, order_api: OrderApi
) -> None:
    arguments = {"order_id": "A-1042", "skus": ["SKU-1001"], "reason": "arrived broken"}
    first = call(orders, connector, "create_replacement", key="replace-r-1", **arguments)
    again = call(orders, connector, "create_replacement", key="replace-r-1", **arguments)
    other = call(orders, connector, "create_replacement", key="replace-r-2", **arguments)

    assert first == again
    assert first["replacement_id"] == "R-1"
    assert other["replacement_id"] == "R-2"
    assert [seen.idempotency_key for seen in order_api.requests] == [
        "replace-r-1",
        "replace-r-1",
        "replace-r-2",
    ]


def test_cancelling_twice_changes_nothing_more_and_a_shipped_order_is_refused(
    orders: ConnectorSpec, connector: Connector
) -> None:
    first = call(orders, connector, "cancel_order", order_id="A-1043", reason="ordered twice")
    again = call(orders, connector, "cancel_order", order_id="A-1043", reason="ordered twice")
    with pytest.raises(ToolError) as refused:
        call(orders, connector, "cancel_order", order_id="A-1042", reason="too late")

    assert first["status"] == again["status"] == "cancelled"
    assert str(refused.value) == (
        "the order system (POST /orders/A-1042/cancel) refused the request with 409: "
        "order A-1042 has shipped"
    )
    assert not refused.value.retryable


def test_an_order_id_is_one_path_segment_whatever_it_holds(
    orders: ConnectorSpec, connector: Connector, order_api: OrderApi
) -> None:
    with pytest.raises(ToolError, match="refused the request with 404: no order A-1042/cancel"):
        call(orders, connector, "get_order", order_id="A-1042/cancel")

    assert order_api.requests[0].path == "/api/v2/orders/A-1042%2Fcancel"


@pytest.mark.parametrize(
    ("status", "headers", "message", "retry_after"),
    [
        (503, {}, "failed with 503: maintenance", None),
        (429, {"Retry-After": "30"}, "is rate limiting (429); it asks to wait 30s", 30.0),
    ],
    ids=["5xx", "429"],
)
def test_outages_and_rate_limits_are_worth_a_retry(
    orders: ConnectorSpec,
    connector: Connector,
    httpserver: HTTPServer,
    status: int,
    headers: dict[str, str],
    message: str,
    retry_after: float | None,
) -> None:
    httpserver.expect_oneshot_request(f"{BASE_PATH}/orders/A-1042").respond_with_json(
        {"message": "maintenance"}, status=status, headers=headers
    )
    with pytest.raises(ToolError) as failed:
        call(orders, connector, "get_order", order_id="A-1042")

    assert str(failed.value) == f"the order system (GET /orders/A-1042) {message}"
    assert failed.value.retryable
    assert failed.value.retry_after == retry_after


def test_a_refused_token_names_the_secret_to_fix_and_is_not_retried(
    orders: ConnectorSpec, order_api: OrderApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector = start(orders, monkeypatch, order_api.url, token="ord-tok-expired")

    with pytest.raises(ToolError) as refused:
        call(orders, connector, "get_order", order_id="A-1042")

    assert str(refused.value).startswith(
        "the order system (GET /orders/A-1042) refused the token (401): check "
        "SOPBOT_SECRET_ACME_ORDERS_TOKEN"
    )
    assert not refused.value.retryable


def test_a_slow_order_system_is_a_retryable_timeout(
    orders: ConnectorSpec, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    released = threading.Event()

    def stall(_request: Request) -> Response:
        released.wait(timeout=10)
        return Response("{}", content_type="application/json")

    httpserver.expect_request(f"{BASE_PATH}/orders/A-1042").respond_with_handler(stall)
    connector = start(orders, monkeypatch, httpserver.url_for(BASE_PATH), timeout="0.2")
    try:
        with pytest.raises(ToolError) as slow:
            call(orders, connector, "get_order", order_id="A-1042")
    finally:
        released.set()

    assert str(slow.value) == "the order system (GET /orders/A-1042) did not answer within 0.2s"
    assert slow.value.retryable


def test_an_address_nobody_listens_on_is_retryable_and_names_the_setting(
    orders: ConnectorSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/api/v2"
        connector = start(orders, monkeypatch, url)
        with pytest.raises(ToolError) as unreachable:
            call(orders, connector, "get_order", order_id="A-1042")

    assert str(unreachable.value) == (
        f"the order system (GET /orders/A-1042) could not be reached at {url}: "
        "check ACME_ORDERS_URL"
    )
    assert unreachable.value.retryable


def test_the_token_is_masked_from_the_start(
    orders: ConnectorSpec, order_api: OrderApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(orders, monkeypatch, order_api.url)

    assert redaction.redact(f"Authorization: Bearer {TOKEN}") == "Authorization: Bearer ••••"


@pytest.mark.parametrize(
    ("url", "secrets", "problem"),
    [
        ("", {"ACME_ORDERS_TOKEN": TOKEN}, "set ACME_ORDERS_URL to the order system's API base"),
        (
            "https://orders.acme.example/api/v2",
            {},
            "no secret 'ACME_ORDERS_TOKEN' is configured (set SOPBOT_SECRET_ACME_ORDERS_TOKEN)",
        ),
    ],
    ids=["no URL", "no token"],
)
def test_a_missing_setting_stops_the_start_in_one_line(
    orders: ConnectorSpec,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    secrets: dict[str, str],
    problem: str,
) -> None:
    monkeypatch.setenv("ACME_ORDERS_URL", url)
    assert orders.factory is not None
    services = ConnectorServices((), lambda: NOW, Secrets(secrets))

    with pytest.raises(CatalogueError) as refused:
        open_connectors({"orders": orders.factory}, services)

    assert str(refused.value).startswith(f"the connector for orders could not start: {problem}")
    assert "\n" not in str(refused.value)
