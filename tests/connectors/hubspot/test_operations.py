"""Each ``crm.*`` operation on HubSpot, through the shipped mapping and the real client:
the records a procedure reads have the catalogue's shape, and writes land on the HubSpot
properties the mapping names."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.connectors.base import ToolError
from bot.connectors.hubspot.connector import HubSpotConnector
from tests.connectors.hubspot.conftest import ACME, ANA, LEE, build, operation, write_mapping
from tests.connectors.hubspot.fake_hubspot import FakeHubSpot


def test_an_account_is_a_company_with_its_owner_as_a_slack_user(hub: HubSpotConnector) -> None:
    account = hub.invoke(operation("crm.get_account"), {"account_id": ACME})

    assert account == {
        "id": ACME,
        "name": "Acme Logistics",
        "tier": "enterprise",
        "owner": "U06ANA",
        "risk_score": 20,
        "arr": 240000.0,
        "contact_email": "ops@acme-logistics.example",
    }


def test_a_claim_is_found_by_its_number_with_a_crm_search_and_its_company_association(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    claim = hub.invoke(operation("crm.get_claim"), {"claim_id": "CL-7001"})

    assert claim == {
        "id": "CL-7001",
        "account_id": ACME,
        "carrier": "Rapid Freight",
        "amount": 3200.0,
        "status": "open",
        "evidence_received": False,
        "contact_email": "claims@acme-logistics.example",
    }
    method, path, search = portal.requests[0]
    assert (method, path) == ("POST", "/crm/v3/objects/p_freight_claims/search")
    assert search["filterGroups"] == [
        {"filters": [{"propertyName": "claim_number", "operator": "EQ", "value": "CL-7001"}]}
    ]


def test_a_deal_ticket_and_invoice_read_with_their_values_translated(
    hub: HubSpotConnector,
) -> None:
    deal = hub.invoke(operation("crm.get_deal"), {"deal_id": "2001"})
    ticket = hub.invoke(operation("crm.get_ticket"), {"ticket_id": "4001"})
    invoice = hub.invoke(operation("crm.get_invoice"), {"invoice_id": "INV-2002"})

    assert (deal["stage"], deal["account_id"], deal["owner"]) == ("negotiation", ACME, "U06ANA")
    assert (ticket["priority"], ticket["status"], ticket["tags"]) == (
        "high",
        "new",
        ["sso", "login"],
    )
    assert ticket["assignee"] is None
    assert (invoice["status"], invoice["due_date"], invoice["days_overdue"]) == (
        "open",
        "2026-11-13",
        10,
    )


def test_updates_write_the_mapped_properties_and_answer_the_record_as_it_is_now(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    deal = hub.invoke(
        operation("crm.update_deal"),
        {"deal_id": "2001", "stage": "closed_won", "fields": {"amount": 51000}},
    )
    ticket = hub.invoke(
        operation("crm.update_ticket"),
        {"ticket_id": "4001", "assignee": "U04LEE", "priority": "urgent", "status": "open"},
    )
    account = hub.invoke(
        operation("crm.set_risk"), {"account_id": ACME, "score": 80, "reason": "two outages"}
    )
    claim = hub.invoke(operation("crm.update_claim"), {"claim_id": "CL-7002", "status": "approved"})

    assert (deal["stage"], deal["amount"]) == ("closed_won", 51000.0)
    assert portal.records("deals")["2001"]["dealstage"] == "closedwon"
    assert (ticket["assignee"], ticket["priority"], ticket["status"]) == (
        "U04LEE",
        "urgent",
        "open",
    )
    assert portal.records("tickets")["4001"]["hubspot_owner_id"] == LEE
    assert portal.records("tickets")["4001"]["hs_ticket_priority"] == "URGENT"
    assert account["risk_score"] == 80
    assert portal.records("companies")[ACME]["sopbot_risk_reason"] == "two outages"
    assert claim["status"] == "approved"
    assert portal.records("p_freight_claims")["3002"]["status"] == "approved"


def test_a_note_is_created_and_attached_to_its_record(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    note = hub.invoke(
        operation("crm.add_note"),
        {"object_type": "claim", "object_id": "CL-7002", "body": "Photos requested"},
    )

    stored = portal.records("notes")[note["id"]]
    assert stored == {"hs_note_body": "Photos requested", "hs_timestamp": "2026-11-23T09:00:00Z"}
    assert portal.attached("notes", note["id"], "p_freight_claims") == ["3002"]
    assert (
        "PUT",
        f"/crm/v4/objects/notes/{note['id']}/associations/default/p_freight_claims/3002",
    ) in [(method, path) for method, path, _ in portal.requests]


def test_a_task_is_created_for_the_account_owner_with_its_due_date(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    task = hub.invoke(
        operation("crm.create_task"),
        {"account_id": ACME, "title": "Call Acme", "owner": "U06ANA", "due_in_days": 2},
        idempotency_key="run-1:call-acme",
    )

    assert portal.records("tasks")[task["id"]] == {
        "hs_task_subject": "Call Acme",
        "hubspot_owner_id": ANA,
        "hs_timestamp": "2026-11-25T09:00:00Z",
        "hs_task_status": "NOT_STARTED",
        "hs_unique_creation_key": "run-1:call-acme",
    }
    assert portal.attached("tasks", task["id"], "companies") == [ACME]


def test_a_repeated_create_with_the_same_key_makes_one_task(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    arguments = {"account_id": ACME, "title": "Call Acme", "owner": "U06ANA"}

    first = hub.invoke(operation("crm.create_task"), arguments, idempotency_key="k-1")
    again = hub.invoke(operation("crm.create_task"), arguments, idempotency_key="k-1")

    assert first == again
    assert len(portal.records("tasks")) == 1


def test_a_changed_property_name_in_the_mapping_changes_the_request_not_the_code(
    httpserver: HTTPServer, portal: FakeHubSpot, tmp_path: Path
) -> None:
    portal.types["companies"].properties.add("risk_level")
    mapping = write_mapping(tmp_path, {"account": {"risk_score": "risk_level"}})
    hub = build(httpserver.url_for("/"), mapping)

    hub.invoke(operation("crm.set_risk"), {"account_id": ACME, "score": 65, "reason": "late"})

    patch = next(body for method, _, body in portal.requests if method == "PATCH")
    assert patch["properties"]["risk_level"] == "65"
    assert "sopbot_risk_score" not in patch["properties"]
    assert portal.records("companies")[ACME]["sopbot_risk_score"] == "20"


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        (
            "crm.get_order",
            {"order_id": "1042"},
            "crm.get_order needs to know which HubSpot object keeps sopbot's orders: add "
            "objects.order to the mapping file (SOPBOT_HUBSPOT_MAPPING)",
        ),
        (
            "crm.update_deal",
            {"deal_id": "2001", "fields": {"probability": 0.4}},
            "the mapping does not say where HubSpot keeps the deal's 'probability': add "
            "objects.deal.fields.probability to SOPBOT_HUBSPOT_MAPPING",
        ),
        (
            "crm.refund",
            {"order_id": "1042", "amount": 10, "reason": "broken"},
            "the HubSpot connector does not perform crm.refund: HubSpot keeps no payments to "
            "refund",
        ),
        (
            "crm.update_ticket",
            {"ticket_id": "4001", "assignee": "U09NOBODY"},
            "the Slack user U09NOBODY (the ticket's assignee) has no HubSpot owner in the "
            "mapping: add '\"<HubSpot owner ID>\": U09NOBODY' under owners in "
            "SOPBOT_HUBSPOT_MAPPING",
        ),
        (
            "crm.get_claim",
            {"claim_id": "CL-9999"},
            "HubSpot has no claim CL-9999 (p_freight_claims whose claim_number is CL-9999)",
        ),
        ("crm.get_deal", {"deal_id": "2999"}, "HubSpot has no deal 2999 (deals)"),
    ],
    ids=["unmapped record", "unmapped field", "no refunds", "unknown owner", "no claim", "no deal"],
)
def test_what_the_mapping_or_the_portal_cannot_do_is_one_clear_line(
    hub: HubSpotConnector, name: str, arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(ToolError) as refused:
        hub.invoke(operation(name), arguments)

    assert str(refused.value) == message
    assert not refused.value.retryable
