"""``http.request`` on the live connector inside a running procedure: chosen with
``SOPBOT_CONNECTOR_HTTP``, a 429's Retry-After honoured by the step's retry rule, and the
credential sent to the tool but never written to the audit trail."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pytest_httpserver import HTTPServer

from bot.catalogue.registry import CatalogueError
from bot.config import Settings
from bot.connectors.http.connector import HttpConnector
from bot.harness import Harness
from storage import audit
from storage.database import Database
from tests.connectors.http.conftest import TOKEN
from tests.engine.conftest import MakeHarness

LIVE = Settings.model_construct(connector={"http": "bot.connectors.http:connect"})
SOP = """\
    id: stock-check
    title: Check stock at the warehouse
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: stock-check}
    inputs:
      sku: {type: string}
    permissions:
      allow: [http.request]
    escalation:
      to: [U04LEE]
    steps:
      - id: ask
        action: http.request
        with: {url: "BASE/stock/{{ inputs.sku }}"}
        save_as: stock
        on_failure:
          retry: {attempts: 2, backoff: 10s}
          then: escalate
      - id: done
        end: completed
        message: "{{ inputs.sku }}: {{ stock.body.on_hand }} on hand"
"""


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, base: str) -> None:
    """The operator's environment: the fake's /api/ allowed, with a bearer credential."""
    monkeypatch.setenv("SOPBOT_HTTP_ALLOW", base)
    monkeypatch.setenv("SOPBOT_HTTP_AUTH", f"{base}=Authorization:WAREHOUSE_AUTH")
    monkeypatch.setenv("SOPBOT_SECRET_WAREHOUSE_AUTH", TOKEN)


@pytest.mark.usefixtures("live")
def test_a_rate_limit_is_waited_out_by_the_retry_rule_and_the_credential_stays_hidden(
    make_harness: MakeHarness, httpserver: HTTPServer, base: str
) -> None:
    httpserver.expect_oneshot_request("/api/stock/SKU-1").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    httpserver.expect_oneshot_request(
        "/api/stock/SKU-1", headers={"Authorization": TOKEN}
    ).respond_with_json({"on_hand": 4})
    harness = make_harness(SOP.replace("BASE/", base), settings=LIVE)
    assert isinstance(harness.engine.runtime.connectors["http"], HttpConnector)
    run = harness.start("stock-check", {"sku": "SKU-1"})
    assert run.status != "completed"
    assert len(httpserver.log) == 1

    harness.advance(dt.timedelta(seconds=60))
    assert len(httpserver.log) == 1, "the 10s backoff does not override Retry-After: 120"

    harness.advance(dt.timedelta(seconds=61))
    run = harness.run(run.id)
    assert run.status == "completed", run.reason
    assert len(httpserver.log) == 2
    assert any("SKU-1: 4 on hand" in message.text for message in harness.chat.posted)
    with harness.database.session() as session:
        trail = json.dumps([(e.detail, e.reason) for e in audit.recent(session)], default=str)
    assert "tok-3f9a61c2e8d4" not in trail
    assert "rate limiting (429)" in trail


def test_an_unusable_setting_stops_the_start_naming_it(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPBOT_HTTP_ALLOW", "https://api.example.com/v1/")
    monkeypatch.setenv("SOPBOT_HTTP_AUTH", "https://api.example.com/v1/=Authorization:NOPE")

    with pytest.raises(CatalogueError) as refused:
        Harness.open(database, [], settings=LIVE)

    assert str(refused.value) == (
        "the connector for http could not start: SOPBOT_HTTP_AUTH: no secret 'NOPE' is "
        "configured for https://api.example.com/v1/ (set SOPBOT_SECRET_NOPE)"
    )
