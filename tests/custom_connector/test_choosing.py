"""Each namespace's connector is chosen by configuration: the sandbox by default for the
built-in ones, a team's factory where ``SOPBOT_CONNECTOR_<namespace>`` names one, and a
setting sopbot cannot use is refused in one line that says what to change."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.catalogue.builtin import BUILTIN_CONNECTORS
from bot.catalogue.operation import ConnectorServices
from bot.catalogue.registry import (
    Catalogue,
    CatalogueError,
    Implementation,
    choose_factories,
    open_connectors,
)
from bot.config import Settings, load_settings
from bot.connectors.sandbox.tools import SandboxTools
from tests.custom_connector.ledger_crm import LedgerCrm
from tests.engine.conftest import MakeHarness

LEDGER = "tests.custom_connector.ledger_crm"
LOOK_UP = """\
    id: order-look-up
    title: Look an order up
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: look-up}
    inputs:
      order_id: {type: string}
    permissions:
      allow: [crm.get_order]
    escalation:
      to: [U04LEE]
    steps:
      - id: look_up
        action: crm.get_order
        with: {order_id: "{{ inputs.order_id }}"}
        save_as: order
        on_failure: {then: escalate}
      - id: done
        end: completed
        message: "Order {{ order.id }} totals {{ order.total }} {{ order.currency }}"
"""


def _never(services: ConnectorServices) -> SandboxTools:
    raise AssertionError("the sandbox is not built in these tests")


SANDBOX = Implementation("sandbox", SandboxTools.namespaces, _never)
BUILT_IN = Catalogue(BUILTIN_CONNECTORS)


def test_each_namespace_is_set_through_its_own_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPBOT_CONNECTOR_CRM", f"{LEDGER}:connect")
    monkeypatch.setenv("SOPBOT_CONNECTOR_JIRA", "sandbox")

    assert load_settings().connector == {"crm": f"{LEDGER}:connect", "jira": "sandbox"}


def test_a_built_in_namespace_runs_on_a_team_factory_and_the_rest_on_the_sandbox(
    make_harness: MakeHarness,
) -> None:
    settings = Settings.model_construct(connector={"crm": f"{LEDGER}:connect"})
    harness = make_harness(LOOK_UP, settings=settings)
    connectors = harness.engine.runtime.connectors
    crm = connectors["crm"]
    assert isinstance(crm, LedgerCrm)
    assert crm.namespaces == ("crm",)
    assert {name for name, connector in connectors.items() if connector is harness.tools} == (
        set(SandboxTools.namespaces) - {"crm"}
    )

    run = harness.start("order-look-up", {"order_id": "7001"})

    assert run.status == "completed", run.reason
    assert crm.calls == [("crm.get_order", {"order_id": "7001"})]
    assert any("Order 7001 totals 12.5 EUR" in message.text for message in harness.chat.posted)


def test_one_factory_chosen_for_several_namespaces_builds_one_connector() -> None:
    factories = choose_factories(
        BUILT_IN, {"crm": f"{LEDGER}:connect", "hr": f"{LEDGER}:connect"}, SANDBOX
    )
    chosen = {name: factories[name] for name in ("crm", "hr")}

    connectors = open_connectors(chosen, ConnectorServices((), lambda: dt.datetime.now(dt.UTC), {}))

    assert connectors["crm"] is connectors["hr"]
    assert isinstance(connectors["crm"], LedgerCrm)
    assert connectors["crm"].namespaces == ("crm", "hr")


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        (
            {"shopp": "sandbox"},
            "SOPBOT_CONNECTOR_SHOPP: no connector declares the namespace 'shopp' (known: "
            "calendar, crm, email, hr, http, jira, slack); install its package or name its "
            "ConnectorSpec in SOPBOT_CONNECTORS",
        ),
        (
            {"crm": "live"},
            "SOPBOT_CONNECTOR_CRM=live: write sandbox, or name a connector factory as "
            "module:attribute",
        ),
        (
            {"crm": "acme_nowhere:connect"},
            "SOPBOT_CONNECTOR_CRM=acme_nowhere:connect: cannot load connector factory "
            "'acme_nowhere:connect': No module named 'acme_nowhere'",
        ),
        (
            {"crm": f"{LEDGER}:NOT_A_FACTORY"},
            f"SOPBOT_CONNECTOR_CRM={LEDGER}:NOT_A_FACTORY: that is a str, not a connector "
            "factory (a function that takes ConnectorServices and returns a connector)",
        ),
    ],
    ids=["unknown namespace", "unknown value", "missing module", "not callable"],
)
def test_a_setting_that_cannot_be_used_is_refused_in_one_line(
    configured: dict[str, str], message: str
) -> None:
    with pytest.raises(CatalogueError) as refused:
        choose_factories(BUILT_IN, configured, SANDBOX)

    assert str(refused.value) == message


def test_the_sandbox_is_refused_for_a_namespace_it_does_not_have() -> None:
    sandbox_without_hr = Implementation("sandbox", ("crm", "jira"), _never)

    with pytest.raises(CatalogueError) as refused:
        choose_factories(BUILT_IN, {"hr": "sandbox"}, sandbox_without_hr)

    assert str(refused.value) == (
        "SOPBOT_CONNECTOR_HR=sandbox: the sandbox has no 'hr' tool (it performs crm, jira); "
        "name a connector factory as module:attribute, or remove the setting to use the "
        "connector's own"
    )


def test_a_factory_that_fails_stops_the_start_naming_its_namespaces() -> None:
    factories = choose_factories(BUILT_IN, {"crm": f"{LEDGER}:failing"}, SANDBOX)

    with pytest.raises(CatalogueError) as refused:
        open_connectors(
            {"crm": factories["crm"]},
            ConnectorServices((), lambda: dt.datetime.now(dt.UTC), {}),
        )

    assert str(refused.value) == (
        "the connector for crm could not start: the ledger CRM refused the login"
    )
