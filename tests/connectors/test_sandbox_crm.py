"""The sandbox CRM behaves like a CRM: refunds stay within what was paid, updates stick,
unknown ids are refused by name, and the KPIs follow the records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from bot.clock.time import ManualClock

Call = Callable[..., dict[str, Any]]
Refusal = Callable[[str, dict[str, Any]], str]


def refund(order_id: str, amount: float) -> dict[str, Any]:
    return {"order_id": order_id, "amount": amount, "reason": "Arrived damaged"}


def test_refunds_are_recorded_on_the_order_until_nothing_remains(
    call: Call, refusal: Refusal
) -> None:
    first = call("crm.refund", refund("1042", 600))
    assert call("crm.get_order", {"order_id": "1042"})["status"] == "partially_refunded"

    message = refusal("crm.refund", refund("1042", 50))
    last = call("crm.refund", refund("1042", 40))

    assert message == (
        "a refund of 50.00 USD is more than the 40.00 USD that remains refundable on order 1042"
    )
    order = call("crm.get_order", {"order_id": "1042"})
    assert (order["status"], order["refunded"]) == ("refunded", 640.0)
    assert [r["refund_id"] for r in order["refunds"]] == [first["refund_id"], last["refund_id"]]
    assert first["refund_id"] != last["refund_id"]
    assert refusal("crm.refund", refund("1042", 1)) == "order 1042 is already fully refunded"


def test_a_refund_above_the_order_total_is_refused_and_changes_nothing(
    call: Call, refusal: Refusal
) -> None:
    message = refusal("crm.refund", refund("1043", 120.01))

    assert "more than the 120.00 USD that remains refundable on order 1043" in message
    order = call("crm.get_order", {"order_id": "1043"})
    assert (order["status"], order["refunded"]) == ("delivered", 0.0)


def test_amounts_are_counted_in_cents_not_floats(call: Call, refusal: Refusal) -> None:
    for amount in (19.9, 79.9, 20.2):  # these add up to 120.00000000000001 in floats
        call("crm.refund", refund("1043", amount))

    assert call("crm.get_order", {"order_id": "1043"})["status"] == "refunded"
    assert "fraction of a cent" in refusal("crm.refund", refund("1042", 10.005))


@pytest.mark.parametrize(
    ("operation", "arguments", "message"),
    [
        ("crm.get_order", {"order_id": "999"}, "no order 999 in the sandbox CRM"),
        ("crm.refund", refund("999", 5), "no order 999 in the sandbox CRM"),
        ("crm.get_account", {"account_id": "nope"}, "no account nope in the sandbox CRM"),
        ("crm.get_invoice", {"invoice_id": "INV-1"}, "no invoice INV-1 in the sandbox CRM"),
        (
            "crm.add_note",
            {"object_type": "ticket", "object_id": "T-1", "body": "x"},
            "no ticket T-1 in the sandbox CRM",
        ),
        (
            "crm.create_task",
            {"account_id": "acme", "title": "Call", "owner": "U99"},
            "no user U99 in the sandbox directory",
        ),
    ],
)
def test_unknown_ids_are_refused_by_name(
    refusal: Refusal, operation: str, arguments: dict[str, Any], message: str
) -> None:
    assert refusal(operation, arguments) == message


def test_ticket_risk_deal_and_claim_updates_stick(call: Call) -> None:
    call("crm.update_ticket", {"ticket_id": "T-502", "assignee": "U04LEE", "priority": "high"})
    call("crm.set_risk", {"account_id": "globex", "score": 85, "reason": "SLA breach"})
    call("crm.update_deal", {"deal_id": "D-303", "fields": {"amount": 65000}})
    call("crm.update_claim", {"claim_id": "CL-7002", "status": "approved"})

    ticket = call("crm.get_ticket", {"ticket_id": "T-502"})
    account = call("crm.get_account", {"account_id": "globex"})
    assert (ticket["assignee"], ticket["priority"], ticket["status"]) == ("U04LEE", "high", "new")
    assert (account["risk_score"], account["risk_reason"]) == (85, "SLA breach")
    assert call("crm.get_deal", {"deal_id": "D-303"})["amount"] == 65000
    assert call("crm.get_claim", {"claim_id": "CL-7002"})["status"] == "approved"


@pytest.mark.parametrize(
    ("operation", "arguments", "message"),
    [
        ("crm.update_deal", {"deal_id": "D-301", "stage": "won"}, "'won' is not a deal stage"),
        ("crm.update_ticket", {"ticket_id": "T-501", "status": "done"}, "'done' is not a ticket"),
        ("crm.update_deal", {"deal_id": "D-301", "fields": {"id": "D-1"}}, "id cannot change"),
        (
            "crm.update_deal",
            {"deal_id": "D-301", "fields": {"amount": "lots"}},
            "deal D-301: field 'amount'",
        ),
    ],
)
def test_values_the_crm_does_not_know_are_refused(
    call: Call, refusal: Refusal, operation: str, arguments: dict[str, Any], message: str
) -> None:
    assert message in refusal(operation, arguments)
    assert call("crm.get_deal", {"deal_id": "D-301"})["stage"] == "negotiation"


def test_the_kpis_follow_the_records_and_the_clock(call: Call, clock: ManualClock) -> None:
    seeded = call("crm.get_metrics", {"period": "last_week"})

    call("crm.update_deal", {"deal_id": "D-301", "stage": "closed_won"})
    call("crm.update_deal", {"deal_id": "D-301", "stage": "onboarded"})  # still won revenue
    call("crm.update_ticket", {"ticket_id": "T-501", "status": "solved"})
    moved = call("crm.get_metrics", {"period": "last_week"})
    clock.advance(dt.timedelta(days=8))
    later = call("crm.get_metrics", {"period": "last_week"})

    assert seeded == {
        "period": "last_week",
        "new_deals": 2,
        "won_revenue": 54000.0,
        "open_tickets": 4,
        "sla_breaches": 2,
        "churned_accounts": 1,
        "csat": 75.0,
    }
    assert (moved["won_revenue"], moved["open_tickets"]) == (54000.0 + 36000.0, 3)
    assert (later["new_deals"], later["won_revenue"], later["churned_accounts"]) == (0, 0.0, 0)


def test_days_overdue_grow_with_the_clock_and_stop_when_paid(
    call: Call, clock: ManualClock
) -> None:
    overdue = {
        invoice: call("crm.get_invoice", {"invoice_id": invoice})["days_overdue"]
        for invoice in ("INV-2001", "INV-2002", "INV-2003", "INV-2004")
    }
    clock.advance(dt.timedelta(days=7))

    assert overdue == {"INV-2001": 10, "INV-2002": 35, "INV-2003": 70, "INV-2004": 0}
    assert call("crm.get_invoice", {"invoice_id": "INV-2002"})["days_overdue"] == 42
    assert call("crm.get_invoice", {"invoice_id": "INV-2004"})["status"] == "paid"
