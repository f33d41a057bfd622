"""Every built-in operation runs on the sandbox and answers in its catalogue's shape;
writes are logged once each, reads never."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.catalogue.builtin import BUILTIN_CONNECTORS
from bot.catalogue.registry import build_catalogue
from bot.connectors.sandbox import SandboxTools
from storage.models import SandboxCall

# One realistic call per operation, against the seeded demo data.
EXAMPLES: dict[str, dict[str, Any]] = {
    "crm.get_account": {"account_id": "acme"},
    "crm.get_deal": {"deal_id": "D-301"},
    "crm.update_deal": {"deal_id": "D-301", "stage": "closed_won"},
    "crm.get_order": {"order_id": "1042"},
    "crm.refund": {"order_id": "1043", "amount": 120, "reason": "Arrived broken"},
    "crm.get_ticket": {"ticket_id": "T-502"},
    "crm.update_ticket": {"ticket_id": "T-502", "assignee": "U04LEE", "status": "open"},
    "crm.add_note": {"object_type": "claim", "object_id": "CL-7002", "body": "Photos requested"},
    "crm.set_risk": {"account_id": "globex", "score": 80, "reason": "SLA breach on T-502"},
    "crm.create_task": {"account_id": "pioneer", "title": "Kickoff call", "owner": "U06ANA"},
    "crm.get_invoice": {"invoice_id": "INV-2002"},
    "crm.get_claim": {"claim_id": "CL-7001"},
    "crm.update_claim": {"claim_id": "CL-7001", "status": "approved"},
    "crm.get_metrics": {"period": "last_month"},
    "jira.create_issue": {"project": "BUG", "summary": "Export drops rows", "labels": ["acme"]},
    "jira.get_issue": {"key": "BUG-100"},
    "jira.add_comment": {"key": "BUG-100", "body": "Seen again on T-501"},
    "jira.transition_issue": {"key": "BUG-100", "status": "Done"},
    "jira.assign_issue": {"key": "BUG-100", "assignee": "U02DEV"},
    "jira.search_issues": {"jql": "project = BUG"},
    "email.send": {"to": ["ops@acme-logistics.example"], "subject": "Hello", "body": "Hi!"},
    "slack.post": {"channel": "C02SUPPORT", "text": "T-502 is unassigned"},
    "slack.dm": {"user": "U03SAM", "text": "A refund waits for you"},
    "slack.create_channel": {"name": "onboarding-pioneer"},
    "slack.invite": {"channel": "#ops", "users": ["U02DEV"]},
    "http.request": {"method": "POST", "url": "https://hooks.example.com/x", "json": {"a": 1}},
    "calendar.get_meeting": {"meeting_id": "M-801"},
    "calendar.create_event": {
        "user": "U06ANA",
        "title": "Out of office",
        "start": "2026-12-01",
        "end": "2026-12-03",
    },
    "hr.get_employee": {"user": "U02DEV"},
    "hr.book_time_off": {"user": "U02DEV", "start": "2026-12-22", "end": "2026-12-24", "days": 3},
}


def test_the_sandbox_covers_every_built_in_namespace_and_operation() -> None:
    built_in = {operation.name for spec in BUILTIN_CONNECTORS for operation in spec.operations}

    assert set(EXAMPLES) == built_in
    assert set(SandboxTools.namespaces) == {spec.namespace for spec in BUILTIN_CONNECTORS}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_an_operation_answers_in_its_catalogue_shape_and_only_writes_are_logged(
    name: str, call: Callable[..., dict[str, Any]], logged: Callable[..., list[SandboxCall]]
) -> None:
    operation = build_catalogue().get(name)
    assert operation is not None

    result = call(name, EXAMPLES[name])

    operation.result.model_validate(result)
    json.dumps(result)  # plain JSON-able data, as the journal stores it
    rows = logged()
    if operation.writes:
        assert [(row.operation, row.result) for row in rows] == [(name, result)]
    else:
        assert rows == []
