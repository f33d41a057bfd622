"""SOP206 all the way down: a field read below the first level is checked against the
operation's nested result model, with a did-you-mean; free-form parts (a dict, Any) stop
the check, so they never raise a false alarm. The shop connector is a team's own, as
third-party tools with nested results come in."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from bot.catalogue.builtin import BUILTIN_CONNECTORS
from bot.catalogue.operation import Args, ConnectorSpec, Operation, Result
from bot.catalogue.registry import Catalogue
from bot.procedure.diagnostics import Diagnostic
from bot.validation.validator import validate_text

TODAY = dt.date(2026, 11, 22)


class Address(Result):
    street: str
    city: str


class Shipping(Result):
    address: Address
    carrier: Literal["ups", "dhl"]
    tracking: dict[str, Any] = {}


class OrderArgs(Args):
    order_id: str


class ShopOrder(Result):
    id: str
    shipping: Shipping | None = None
    extra: Any = None


SHOP = Catalogue(
    [
        *BUILTIN_CONNECTORS,
        ConnectorSpec(
            "shop",
            "Shop",
            (
                Operation(
                    "shop.get_order", "Read", OrderArgs, ShopOrder, writes=False, idempotent=True
                ),
            ),
        ),
    ]
)


def findings(condition: str) -> list[Diagnostic]:
    text = f"""\
id: nested
title: Nested fields
owner: U0OWNER1
version: 1
review: {{every: 90d, last_reviewed: 2026-11-01}}
trigger: {{command: nested}}
escalation: {{to: [U0LEAD01]}}
steps:
  - id: load
    action: shop.get_order
    with: {{order_id: O-1}}
    save_as: order
  - id: route
    decide:
      - when: "{condition}"
        goto: hand_over
  - id: hand_over
    escalate:
      reason: checked
"""
    return validate_text(text, catalogue=SHOP, today=TODAY).diagnostics


def test_a_misspelt_nested_field_is_found_with_a_suggestion() -> None:
    [finding] = findings("order.shipping.adress.city == 'Berlin'")
    assert finding.code == "SOP206"
    assert finding.message == "'order.shipping' has no field 'adress' (did you mean 'address'?)"
    assert (
        finding.hint == "order.shipping (shop.get_order's result) has: address, carrier, tracking"
    )
    assert (finding.line, finding.column) == (15, 16)  # the misspelt path, inside the quotes


def test_the_check_goes_all_the_way_down() -> None:
    [finding] = findings("order.shipping.address.citty == 'Berlin'")
    assert finding.message == "'order.shipping.address' has no field 'citty' (did you mean 'city'?)"


def test_free_form_parts_and_correct_paths_are_not_judged() -> None:
    assert findings("order.shipping.tracking.anything.deeper == 1") == []
    assert findings("order.extra.whatever == 1") == []
    assert findings("order.shipping.address.city == 'Berlin'") == []
    assert findings("order.shipping.get('carrier') == 'ups'") == []


def test_a_nested_literal_field_is_a_choice() -> None:
    [finding] = findings("order.shipping.carrier == 'fedex'")
    assert (finding.code, finding.message) == (
        "SOP232",
        "'fedex' is not a choice of order.shipping.carrier (ups, dhl)",
    )
