"""A connector for an existing API keeps the API's own names and answers: camelCase
operation names with dots after the namespace, and results that are not objects (read in
an SOP as ``value``). The validator checks such an SOP, the engine runs it, the flowchart
tells its reads from its writes, and a malformed name is refused when it is registered."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.catalogue.builtin import BUILTIN_CONNECTORS
from bot.catalogue.operation import ConnectorSpec, Operation, Result
from bot.catalogue.registry import Catalogue, CatalogueError
from bot.cli.app import main
from bot.config import Settings
from bot.harness import Harness
from bot.procedure.graph import to_mermaid
from bot.validation.validator import validate_text
from storage.database import Database
from tests.custom_connector.storefront import SPEC, OrderArgs

SOP = """\
    id: order-check
    title: Check a customer's orders
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: order-check}
    inputs:
      order_id: {type: string}
    permissions:
      allow: [storefront.tickets.openTicket]
    escalation: {to: [U04LEE]}
    steps:
      - id: read_order
        action: storefront.orders.getOrder
        with: {orderId: "{{ inputs.order_id }}"}
        save_as: order
        on_failure: {then: escalate}
      - id: list_orders
        action: storefront.orders.listOrders
        with: {customerId: "{{ order.customerId }}"}
        save_as: orders
        on_failure: {then: escalate}
      - id: count_open
        action: storefront.orders.countOpen
        with: {customerId: "{{ order.customerId }}"}
        save_as: open_orders
        on_failure: {then: escalate}
      - id: route
        decide:
          - when: open_orders.value > 0
            goto: ticket
        otherwise: done
      - id: ticket
        action: storefront.tickets.openTicket
        with: {orderId: "{{ order.orderId }}", subject: "Open orders to check"}
        save_as: ticket
        on_failure: {then: escalate}
      - id: done
        end: completed
        message: >-
          {{ orders.value | length }} orders, {{ open_orders.value }} open,
          first {{ orders.value[0].orderId }}
"""

CONNECTORS = ["tests.custom_connector.storefront:SPEC"]


@pytest.fixture
def harness(database: Database) -> Iterator[Harness]:
    loaded = validate_text(textwrap.dedent(SOP), "sops/order-check.yml", catalogue=_catalogue())
    opened = Harness.open(
        database, [loaded], settings=Settings.model_construct(connectors=CONNECTORS)
    )
    yield opened
    opened.close()


def _catalogue() -> Catalogue:
    return Catalogue([*BUILTIN_CONNECTORS, SPEC])


def test_an_sop_for_the_api_s_own_names_and_shapes_validates_clean() -> None:
    loaded = validate_text(textwrap.dedent(SOP), catalogue=_catalogue())

    assert [diagnostic.render() for diagnostic in loaded.diagnostics] == []


def test_the_engine_reads_bare_lists_and_numbers_as_value(harness: Harness) -> None:
    run = harness.start("order-check", {"order_id": "A-1"})

    assert run.status == "completed", run.reason
    assert run.reason == "2 orders, 1 open, first A-1"


def test_the_flowchart_draws_the_api_s_reads_and_writes_from_its_declaration() -> None:
    loaded = validate_text(textwrap.dedent(SOP), catalogue=_catalogue())
    assert loaded.procedure is not None

    chart = to_mermaid(loaded.procedure, _catalogue())

    assert 's_read_order["read order<br/>storefront.orders.getOrder"]:::read' in chart
    assert 's_count_open["count open<br/>storefront.orders.countOpen"]:::read' in chart
    assert 's_ticket["ticket<br/>storefront.tickets.openTicket"]:::write' in chart


@pytest.mark.parametrize(
    ("namespace", "name", "problem"),
    [
        ("Storefront", "Storefront.getOrder", "connector namespace 'Storefront'"),
        ("storefront", "storefront.get-order", "operation name 'storefront.get-order'"),
        ("storefront", "storefront..getOrder", "operation name 'storefront..getOrder'"),
    ],
)
def test_a_name_an_sop_cannot_write_is_refused_when_registered(
    namespace: str, name: str, problem: str
) -> None:
    spec = ConnectorSpec(
        namespace, "Bad", (Operation(name, "x", OrderArgs, Result, writes=False, idempotent=True),)
    )

    with pytest.raises(CatalogueError, match=problem) as refused:
        Catalogue([spec])

    assert "shop.orders.getOrder" in str(refused.value)


SCENARIO = """\
- name: {name}
  as: U01MARIA
  inputs: {{order_id: A-1}}
  tools:
    storefront.orders.listOrders: {{answer: {orders}}}
    storefront.orders.countOpen: {{answer: {count}}}
  then:
    - expect: {{status: completed, reason: "{reason}"}}
"""


@pytest.mark.parametrize(
    ("orders", "count"),
    [
        ("{value: [{orderId: B-9, customerId: C-7, status: open, total: 1}]}", "{value: 0}"),
        ("[{orderId: B-9, customerId: C-7, status: open, total: 1}]", "0"),
    ],
    ids=["as the SOP reads it", "as the tool sends it"],
)
def test_a_scenario_stubs_a_list_or_a_count_as_the_sop_reads_it_or_bare(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    orders: str,
    count: str,
) -> None:
    monkeypatch.setenv("SOPBOT_CONNECTORS", CONNECTORS[0])
    (tmp_path / "order-check.yml").write_text(textwrap.dedent(SOP))
    (tmp_path / "order-check.test.yml").write_text(
        SCENARIO.format(
            name="stubbed", orders=orders, count=count, reason="1 orders, 0 open, first B-9"
        )
    )

    code = main(["test", str(tmp_path / "order-check.yml")])

    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[-1] == "1 passed, 0 failed"
