"""Performs the ``orders`` operations against the order system's REST API (JSON over HTTPS,
a bearer token). What an answer means is sopbot's own reading of HTTP answers
(``bot.connectors.http.answers``): 5xx, timeouts and 429 (with its Retry-After) are worth a
retry, other 4xx are refusals that quote the order system's reason."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import urllib3
from bot.catalogue.operation import ConnectorServices, Operation
from bot.connectors.base import ToolError
from bot.connectors.http.answers import decode, failure
from bot.secrets import PREFIX, remember
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from acme_orders.routes import ROUTES
from acme_orders.settings import TOKEN_SECRET, URL_SETTING, OrderSystemSettings


class OrderSystem:
    """The connector of the ``orders`` namespace: one request per call, no retries of its
    own (the SOP's retry rule decides), the step's idempotency key as ``Idempotency-Key``."""

    def __init__(self, settings: OrderSystemSettings, *, now: Callable[[], dt.datetime]) -> None:
        self.settings = settings
        self._now = now
        self._pool = urllib3.PoolManager(
            retries=False, timeout=urllib3.Timeout(total=settings.timeout)
        )

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> Any:
        """One request; the order system's JSON answer, or a ``ToolError`` saying what failed."""
        route = ROUTES.get(operation.name)
        if route is None:
            raise ToolError(f"this version of acme_orders cannot perform {operation.name}")
        call = route(arguments)
        where = f"the order system ({call.method} {call.path})"
        headers = {"Authorization": f"Bearer {self.settings.token}", "Accept": "application/json"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = self._pool.request(
                call.method,
                self.settings.base_url + call.path,
                json=call.body,
                headers=headers,
                redirect=False,
            )
        except NewConnectionError:  # a subclass of the timeout error: refused, not slow
            raise ToolError(
                f"{where} could not be reached at {self.settings.base_url}: check {URL_SETTING}",
                retryable=True,
            ) from None
        except Urllib3Timeout:
            raise ToolError(
                f"{where} did not answer within {self.settings.timeout:g}s", retryable=True
            ) from None
        except HTTPError as error:
            raise ToolError(
                f"{where} could not be reached ({type(error).__name__})", retryable=True
            ) from None
        if response.status in {401, 403}:
            raise ToolError(
                f"{where} refused the token ({response.status}): check {PREFIX}{TOKEN_SECRET}, "
                "a token of the order system's sopbot user with the orders scope"
            )
        if response.status >= 300:
            raise failure(
                response.status,
                response.data,
                response.headers.get("Retry-After"),
                where,
                self._now,
            )
        return decode(response.data, response.headers.get("Content-Type", ""), where)


def connect(services: ConnectorServices) -> OrderSystem:
    """Called once when sopbot starts; a missing setting or token stops the start, named."""
    settings = OrderSystemSettings.load(os.environ, services.secrets)
    remember([settings.token])  # masked in every record and log line, whoever wrote it
    return OrderSystem(settings, now=services.now)
