"""The fake Jira per test, a connector configured for it as ``connect`` would configure it,
and ``call`` to perform one operation the way the engine does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from bot.catalogue.registry import build_catalogue
from bot.config import Settings
from bot.connectors.jira import JiraConfig, JiraConnector
from bot.connectors.jira.connector import open_client
from tests.connectors.jira.fake_jira import EMAIL, TOKEN, FakeJira

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
LIVE_JIRA = Settings.model_construct(connector={"jira": "bot.connectors.jira:connect"})
"""Settings choosing the live Jira connector (``SOPBOT_CONNECTOR_JIRA``) for an engine."""

Call = Callable[..., Any]


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeJira]:
    jira = FakeJira(httpserver).install()
    yield jira
    jira.release.set()  # a hang a test left behind ends with it


@pytest.fixture
def live_jira(fake: FakeJira, monkeypatch: pytest.MonkeyPatch) -> FakeJira:
    """The operator's environment: Jira Cloud at the fake."""
    monkeypatch.setenv("SOPBOT_JIRA_URL", fake.url)
    monkeypatch.setenv("SOPBOT_JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("SOPBOT_JIRA_API_TOKEN", TOKEN)
    return fake


def cloud(fake: FakeJira, *, token: str = TOKEN, timeout: float = 2.0) -> JiraConfig:
    """The configuration of Jira Cloud at the fake: email and API token."""
    return JiraConfig(fake.url, "Cloud", token, email=EMAIL, timeout=timeout)


def connector_for(config: JiraConfig) -> JiraConnector:
    return JiraConnector(config, open_client(config), now=lambda: NOW)


@pytest.fixture
def connector(fake: FakeJira) -> JiraConnector:
    return connector_for(cloud(fake))


def performer(connector: JiraConnector) -> Call:
    """Perform one operation with its arguments validated and dumped as the engine does."""
    catalogue = build_catalogue()

    def perform(name: str, arguments: dict[str, Any], /, *, key: str | None = None) -> Any:
        operation = catalogue.get(name)
        assert operation is not None, name
        dumped = operation.args.model_validate(arguments).model_dump(mode="json", by_alias=True)
        return connector.invoke(operation, dumped, idempotency_key=key)

    return perform


@pytest.fixture
def call(connector: JiraConnector) -> Call:
    return performer(connector)
