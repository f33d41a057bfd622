"""The fake HubSpot portal seeded like the sandbox CRM (Acme and Globex, their claims, a
deal, a ticket, an invoice), the shipped mapping with an owners table, and a connector that
talks to the fake through the real ``hubspot-api-client``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_httpserver import HTTPServer

from bot.catalogue.builtin.crm import SPEC
from bot.catalogue.operation import Operation
from bot.connectors.hubspot.api import HubSpotApi
from bot.connectors.hubspot.connector import HubSpotConnector
from bot.connectors.hubspot.mapping import load_mapping
from bot.connectors.hubspot.settings import DEFAULT_MAPPING
from tests.connectors.hubspot.fake_hubspot import FakeHubSpot

TOKEN = "pat-na1-5c7e2d9a-41f0-4b8e-9d3c-7a1e6f2b8c40"
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
OPERATIONS = {operation.name: operation for operation in SPEC.operations}
ANA, LEE = "75000001", "75000004"  # HubSpot owner IDs of Ana and Lee
ACME, GLOBEX = "1001", "1002"  # company record IDs


def operation(name: str) -> Operation:
    return OPERATIONS[name]


@pytest.fixture
def portal(httpserver: HTTPServer) -> FakeHubSpot:
    return seeded_portal(httpserver)


def seeded_portal(httpserver: HTTPServer) -> FakeHubSpot:
    """The portal, with the objects and properties the shipped mapping names."""
    fake = FakeHubSpot(httpserver, TOKEN)
    fake.define(
        "companies",
        {
            "name",
            "hubspot_owner_id",
            "annualrevenue",
            "sopbot_tier",
            "sopbot_risk_score",
            "sopbot_risk_reason",
            "sopbot_contact_email",
        },
    )
    fake.define("deals", {"dealname", "dealstage", "amount", "hubspot_owner_id"})
    fake.define(
        "tickets",
        {
            "subject",
            "hs_ticket_priority",
            "sopbot_tags",
            "hs_pipeline_stage",
            "hubspot_owner_id",
            "first_agent_reply_date",
        },
    )
    fake.define(
        "invoices",
        {"hs_number", "hs_amount_billed", "hs_currency", "hs_due_date", "hs_invoice_status"}
        | {"sopbot_contact_email"},
    )
    fake.define(
        "p_freight_claims",
        {"claim_number", "carrier", "amount", "status", "evidence_received", "contact_email"},
        unique={"claim_number"},
    )
    fake.define(
        "notes",
        {"hs_note_body", "hs_timestamp", "hs_unique_creation_key"},
        {"hs_unique_creation_key"},
    )
    fake.define(
        "tasks",
        {"hs_task_subject", "hubspot_owner_id", "hs_timestamp", "hs_task_status"}
        | {"hs_unique_creation_key"},
        {"hs_unique_creation_key"},
    )
    account: dict[str, Any] = {"sopbot_tier": "enterprise", "hubspot_owner_id": ANA}
    fake.add(
        "companies",
        ACME,
        name="Acme Logistics",
        annualrevenue=240000,
        sopbot_risk_score=20,
        sopbot_contact_email="ops@acme-logistics.example",
        **account,
    )
    fake.add(
        "companies",
        GLOBEX,
        name="Globex Retail",
        annualrevenue=180000,
        sopbot_risk_score=45,
        sopbot_contact_email="it@globex-retail.example",
        **account,
    )
    for record_id, number, company, carrier, amount, email in (
        ("3001", "CL-7001", ACME, "Rapid Freight", 3200, "claims@acme-logistics.example"),
        ("3002", "CL-7002", GLOBEX, "Northstar Haulage", 7800, "logistics@globex-retail.example"),
    ):
        fake.add(
            "p_freight_claims",
            record_id,
            claim_number=number,
            carrier=carrier,
            amount=amount,
            status="open",
            evidence_received=False,
            contact_email=email,
        )
        fake.associate("p_freight_claims", record_id, "companies", company)
    fake.add(
        "deals",
        "2001",
        dealname="Acme renewal",
        dealstage="contractsent",
        amount=48000,
        hubspot_owner_id=ANA,
    )
    fake.associate("deals", "2001", "companies", ACME)
    fake.add(
        "tickets",
        "4001",
        subject="Login broken",
        hs_ticket_priority="HIGH",
        sopbot_tags="sso;login",
        hs_pipeline_stage="1",
    )
    fake.associate("tickets", "4001", "companies", ACME)
    fake.add(
        "invoices",
        "5001",
        hs_number="INV-2002",
        hs_amount_billed=1200,
        hs_currency="USD",
        hs_due_date="2026-11-13",
        hs_invoice_status="open",
        sopbot_contact_email="billing@acme-logistics.example",
    )
    fake.associate("invoices", "5001", "companies", ACME)
    return fake


def write_mapping(directory: Path, change: dict[str, Any] | None = None) -> Path:
    """The shipped mapping with an owners table (and ``change`` merged into its objects)."""
    data = yaml.safe_load(DEFAULT_MAPPING.read_text(encoding="utf-8"))
    data["owners"] = {ANA: "U06ANA", LEE: "U04LEE"}
    for kind, fields in (change or {}).items():
        data["objects"][kind]["fields"].update(fields)
    path = directory / "hubspot-mapping.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    return write_mapping(tmp_path)


def build(url: str, mapping: Path, *, timeout: float = 5.0) -> HubSpotConnector:
    """A connector as ``connect`` builds it, pointed at ``url`` (the fake's)."""
    api = HubSpotApi(TOKEN, url, timeout)
    return HubSpotConnector(api, load_mapping(mapping), now=lambda: NOW)


@pytest.fixture
def hub(httpserver: HTTPServer, portal: FakeHubSpot, mapping_file: Path) -> HubSpotConnector:
    return build(httpserver.url_for("/"), mapping_file, timeout=1.0)
