"""The flowchart tells every call's read or write from its operation's declaration, built-in
or a team's connector alike: action steps and the calls a wait makes (its refresh read and
its reminder while waiting)."""

from __future__ import annotations

import textwrap

from bot.catalogue.builtin import BUILTIN_CONNECTORS
from bot.catalogue.registry import Catalogue
from bot.procedure.graph import to_mermaid
from bot.procedure.loader import load_text
from tests.custom_connector.storefront import SPEC

SOP = """\
    id: chase
    title: Chase an open order
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    trigger: {command: chase}
    inputs:
      order_id: {type: string}
    escalation: {to: [U04LEE]}
    steps:
      - id: shipped
        wait:
          until: order.status == 'shipped'
          refresh:
            action: storefront.orders.getOrder
            with: {orderId: "{{ inputs.order_id }}"}
            save_as: order
          while_waiting:
            action: storefront.tickets.openTicket
            with: {orderId: "{{ inputs.order_id }}", subject: Still open}
          check_every: 1d
          timeout: 7d
          on_timeout: {then: escalate}
        on_failure: {then: escalate}
      - id: tell
        action: email.send
        with: {to: buyer@example.com, subject: Shipped, body: "Your order shipped."}
        on_failure: {then: escalate}
"""


def _chart(catalogue: Catalogue) -> str:
    loaded = load_text(textwrap.dedent(SOP), "sops/chase.yml")
    assert loaded.procedure is not None, [d.render() for d in loaded.diagnostics]
    return to_mermaid(loaded.procedure, catalogue)


def test_a_wait_shows_what_it_reads_and_writes_from_the_team_connector_s_declaration() -> None:
    chart = _chart(Catalogue([*BUILTIN_CONNECTORS, SPEC]))

    assert (
        "reads storefront.orders.getOrder<br/>while false: writes storefront.tickets.openTicket"
        in chart
    )
    assert 's_tell["tell<br/>email.send"]:::write' in chart


def test_a_call_to_an_operation_nobody_declares_is_drawn_as_a_write() -> None:
    chart = _chart(Catalogue(BUILTIN_CONNECTORS))

    assert "writes storefront.orders.getOrder<br/>while false: writes" in chart
