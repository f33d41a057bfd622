"""The live HTTP connector against pytest-httpserver on loopback: ``call`` builds a connector
allowed to call the fake's ``/api/`` only, with a bearer credential, and performs one call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from bot.catalogue.builtin.http import SPEC
from bot.connectors.http.allowlist import Allowlist
from bot.connectors.http.connector import HttpConnector

TOKEN = "Bearer tok-3f9a61c2e8d4"
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
REQUEST = SPEC.operations[0]

Call = Callable[..., Any]


def build(
    allow: list[str],
    auth: tuple[str, ...] | list[str] = (),
    *,
    timeout: float = 5.0,
    max_bytes: int = 1_000_000,
) -> HttpConnector:
    """A connector as ``connect`` builds it from these settings."""
    allowlist = Allowlist.configured(allow, auth, {"API_AUTH": TOKEN})
    return HttpConnector(allowlist, timeout=timeout, max_bytes=max_bytes, now=lambda: NOW)


@pytest.fixture
def base(httpserver: HTTPServer) -> str:
    """The allowed base: the fake's ``/api/``, at localhost (127.0.0.1 is another host)."""
    return httpserver.url_for("/api/")


@pytest.fixture
def connector(base: str) -> HttpConnector:
    return build([base], [f"{base}=Authorization:API_AUTH"], timeout=1.0)


@pytest.fixture
def call(connector: HttpConnector) -> Call:
    """Perform one ``http.request`` with these arguments."""

    def perform(url: str, **arguments: Any) -> Any:
        return connector.invoke(REQUEST, {"url": url, **arguments})

    return perform
