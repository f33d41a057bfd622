"""What the bot waits for (a payment, evidence, meeting notes) can be made to happen."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.clock.time import ManualClock
from bot.connectors.sandbox.outside import change_record
from storage.database import Database
from storage.models import SandboxCall

Call = Callable[..., dict[str, Any]]


def test_outside_changes_show_in_the_tools_and_not_in_the_call_log(
    database: Database, clock: ManualClock, call: Call, logged: Callable[..., list[SandboxCall]]
) -> None:
    change_record(database, clock.now(), "invoice", "INV-2002", {"status": "paid"})
    change_record(database, clock.now(), "claim", "CL-7002", {"evidence_received": True})
    change_record(database, clock.now(), "meeting", "M-802", {"notes": "SSO fixed on Friday."})
    change_record(
        database, clock.now(), "ticket", "T-502", {"first_response_at": "2026-11-23T09:30:00Z"}
    )

    invoice = call("crm.get_invoice", {"invoice_id": "INV-2002"})
    assert (invoice["status"], invoice["days_overdue"]) == ("paid", 0)
    assert call("crm.get_claim", {"claim_id": "CL-7002"})["evidence_received"] is True
    assert call("calendar.get_meeting", {"meeting_id": "M-802"})["notes"] == "SSO fixed on Friday."
    ticket = call("crm.get_ticket", {"ticket_id": "T-502"})
    assert ticket["first_response_at"] == "2026-11-23T09:30:00Z"
    assert logged() == []


@pytest.mark.parametrize(
    ("record", "key", "changes", "message"),
    [
        ("payment", "INV-2002", {"status": "paid"}, "the sandbox cannot change a 'payment'"),
        ("invoice", "INV-9", {"status": "paid"}, "no invoice INV-9 in the sandbox CRM"),
        ("invoice", "INV-2002", {"stauts": "paid"}, "invoice INV-2002 has no field 'stauts'"),
        ("invoice", "INV-2002", {"status": "payed"}, "invoice INV-2002 status: Input should be"),
        ("invoice", "INV-2002", {"id": "INV-1"}, "invoice INV-2002: the id cannot change"),
        ("account", "acme", {"risk_score": 120}, "account acme risk_score: Input should be less"),
        ("ticket", "T-495", {"csat": 5}, "ticket T-495 csat holds str values, not 5"),
    ],
)
def test_a_change_the_tool_would_not_accept_is_refused_and_nothing_changes(
    database: Database,
    clock: ManualClock,
    call: Call,
    record: str,
    key: str,
    changes: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        change_record(database, clock.now(), record, key, changes)

    assert call("crm.get_invoice", {"invoice_id": "INV-2002"})["status"] == "open"
