"""A team connector named in configuration (``SOPBOT_CONNECTORS=["acme_shop:SHOP"]``) is used
by every command: ``run`` (the console), ``worker``, ``test`` (behind the scenarios' stubs),
``graph`` and ``validate``."""

from __future__ import annotations

import os
import sys

import pytest

from bot.chat.recording import RecordingChat
from bot.clock.time import SystemClock
from bot.config import load_settings
from bot.wiring import assemble
from tests.custom_connector.shop_api import ShopApi
from tests.sopbot_process import Operator

STOCK_READ = ("GET", "/stock/SKU-1001")
RESERVATION = ("POST", "/reservations")


def test_the_console_performs_the_namespace_on_the_team_connector(
    operator: Operator, shop_api: ShopApi
) -> None:
    done = operator.sopbot("run", stdin="/sop run replace order_id=1042 sku=SKU-1001\n/quit\n")

    assert done.returncode == 0, done.stderr
    assert "sandbox tools (own connectors: shop)" in done.stdout
    assert "Reserved SKU-1001 for 1042 (R-1)" in done.stdout
    assert shop_api.requests == [STOCK_READ, RESERVATION]
    assert shop_api.reservations["replace-1042-" + _run_id(done.stdout)]["quantity"] == 1


def test_a_connector_that_cannot_start_stops_the_console_in_one_line(
    operator: Operator, shop_api: ShopApi
) -> None:
    del operator.env["SOPBOT_SECRET_ACME_SHOP_TOKEN"]

    done = operator.sopbot("run", stdin="/quit\n")

    assert done.returncode == 2
    assert done.stderr.strip() == (
        "sopbot: the connector for shop could not start: no secret 'ACME_SHOP_TOKEN' is "
        "configured (set SOPBOT_SECRET_ACME_SHOP_TOKEN) (check SOPBOT_CONNECTORS and "
        "installed connector packages)"
    )
    assert shop_api.requests == []


def test_the_worker_performs_the_namespace_on_the_team_connector(
    operator: Operator, shop_api: ShopApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = _leave_a_run_to_the_workers(operator, monkeypatch)
    assert shop_api.requests == []

    done = operator.sopbot("worker", "--once")

    assert done.returncode == 0, done.stderr
    assert "Reserved SKU-1001 for 1045 (R-1)" in done.stderr
    assert shop_api.requests == [STOCK_READ, RESERVATION]
    assert f"replace-1045-{run_id}" in shop_api.reservations


def test_scenarios_run_on_the_team_connector_behind_their_stubs(
    operator: Operator, shop_api: ShopApi
) -> None:
    done = operator.sopbot("test", "sops/")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    assert shop_api.requests == [STOCK_READ, RESERVATION], "the stubbed read never left"


def test_the_flowchart_tells_the_team_connectors_reads_from_its_writes(
    operator: Operator,
) -> None:
    done = operator.sopbot("graph", "replacement-order", "--sops-dir", "sops")

    assert done.returncode == 0, done.stderr
    assert 's_check_stock["Check the stock<br/>shop.get_stock"]:::read' in done.stdout
    assert 's_reserve["Reserve one for the order<br/>shop.reserve_stock"]:::write' in done.stdout


def test_validate_checks_the_sop_against_the_team_connector(operator: Operator) -> None:
    configured = operator.sopbot("validate", "sops/")
    del operator.env["SOPBOT_CONNECTORS"]
    unconfigured = operator.sopbot("validate", "sops/")

    assert configured.returncode == 0, configured.stdout
    assert configured.stdout.strip().endswith("1 file checked, no problems")
    assert unconfigured.returncode == 1
    assert "SOP201" in unconfigured.stdout


def _leave_a_run_to_the_workers(operator: Operator, monkeypatch: pytest.MonkeyPatch) -> str:
    """Start a run the way a chat surface does (no step done inline), in this process wired
    like every other one; its id."""
    for name, value in operator.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(operator.workdir)
    monkeypatch.syspath_prepend(operator.env["PYTHONPATH"].split(os.pathsep)[0])
    sopbot = assemble(load_settings(), clock=SystemClock(), chat=lambda *_: RecordingChat())
    try:
        run = sopbot.engine.start(
            "replacement-order",
            {"order_id": "1045", "sku": "SKU-1001"},
            started_by="U02DEV",
            inline=False,
            interactive=False,
            thread={"to": "C02SUPPORT"},
        )
    finally:
        sopbot.runtime.close()
        for module in ("acme_shop", "acme_shop.connector"):
            sys.modules.pop(module, None)
    return run.id


def _run_id(console: str) -> str:
    return console.split(" as run ", 1)[1].split()[0]
