"""The demo data: seeded once whatever happens, wiped on request, and rich enough that
every sample SOP can show each of its paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock.time import ManualClock
from bot.connectors.base import ToolError
from bot.connectors.sandbox import reset, seed
from bot.connectors.sandbox.demo_data import demo_records
from storage.database import Database
from storage.models import SandboxCall, SandboxRecord

Call = Callable[..., dict[str, Any]]


def snapshot(database: Database) -> list[tuple[str, str, Any, dt.datetime]]:
    with database.session(read_only=True) as session:
        rows = session.scalars(
            select(SandboxRecord).order_by(SandboxRecord.collection, SandboxRecord.key)
        )
        return [(row.collection, row.key, row.data, row.updated_at) for row in rows]


def test_seeding_again_changes_nothing(database: Database, clock: ManualClock, call: Call) -> None:
    call("crm.refund", {"order_id": "1042", "amount": 640, "reason": "Lost in transit"})
    before = snapshot(database)

    added = seed(database, clock.advance(dt.timedelta(days=3)))

    assert added == 0
    assert snapshot(database) == before
    assert call("crm.get_order", {"order_id": "1042"})["status"] == "refunded"


def test_reset_wipes_the_sandbox_and_its_log_and_seed_brings_the_demo_back(
    database: Database, clock: ManualClock, call: Call
) -> None:
    call("crm.refund", {"order_id": "1042", "amount": 640, "reason": "Lost in transit"})

    reset(database)

    assert snapshot(database) == []
    with database.session(read_only=True) as session:
        assert session.scalars(select(SandboxCall)).all() == []
    with pytest.raises(ToolError, match="no order 1042 in the sandbox CRM"):
        call("crm.get_order", {"order_id": "1042"})
    assert seed(database, clock.now()) == len(demo_records(clock.now()))
    assert call("crm.get_order", {"order_id": "1042"})["status"] == "delivered"


def test_the_demo_has_a_case_for_each_path_of_the_sample_sops(call: Call) -> None:
    def get(operation: str, **arguments: str) -> dict[str, Any]:
        return call(operation, arguments)

    # refund-request: 1042 needs finance approval (> 500), 1043 does not, 1044 is refunded
    assert [get("crm.get_order", order_id=o)["total"] for o in ("1042", "1043")] == [640, 120]
    assert get("crm.get_order", order_id="1044")["status"] == "refunded"
    # bug-escalation and SLA routing: tickets by tier, tag and assignment
    tiers = {
        a: get("crm.get_account", account_id=a)["tier"] for a in ("acme", "initech", "bluebird")
    }
    assert tiers == {"acme": "enterprise", "initech": "pro", "bluebird": "free"}
    bug, unassigned, free_bug = (
        get("crm.get_ticket", ticket_id=t) for t in ("T-501", "T-502", "T-503")
    )
    assert "product-bug" in bug["tags"]
    assert tiers[bug["account_id"]] == "enterprise"
    assert unassigned["assignee"] is None
    assert get("crm.get_account", account_id=unassigned["account_id"])["tier"] == "enterprise"
    assert "product-bug" in free_bug["tags"]
    assert tiers[free_bug["account_id"]] == "free"
    # client onboarding: a deal about to be won
    assert get("crm.get_deal", deal_id="D-301")["stage"] == "negotiation"
    # invoice collections
    overdue = [get("crm.get_invoice", invoice_id=f"INV-200{n}") for n in (1, 2, 3, 4)]
    assert [(i["status"], i["days_overdue"]) for i in overdue] == [
        ("open", 10),
        ("open", 35),
        ("open", 70),
        ("paid", 0),
    ]
    # freight claims: below and above the 5,000 evidence threshold, evidence still missing
    claims = [get("crm.get_claim", claim_id=c) for c in ("CL-7001", "CL-7002")]
    assert [(c["amount"], c["status"], c["evidence_received"]) for c in claims] == [
        (3200.0, "open", False),
        (7800.0, "open", False),
    ]
    # PTO: a supervisor to approve, and someone short on days
    assert get("hr.get_employee", user="U02DEV")["supervisor"] == "U04LEE"
    assert get("hr.get_employee", user="U06ANA")["pto_days_left"] == 3
