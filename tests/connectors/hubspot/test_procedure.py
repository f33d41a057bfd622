"""Procedures run by the real engine with ``crm`` on HubSpot (``SOPBOT_CONNECTOR_CRM``) and
every other namespace on the sandbox: the freight-claim sample SOP end to end, a HubSpot
outage waited out by the step's retry rule, a note repeated after a crash made once, and
the access token nowhere in the audit trail, the chat or the logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.app import views
from bot.catalogue.operation import Operation
from bot.config import Settings
from bot.connectors.hubspot.connector import HubSpotConnector
from bot.harness import Harness
from bot.procedure.loader import load_file
from storage import audit
from storage.database import Database
from storage.models import Approval
from tests.connectors.hubspot.conftest import TOKEN
from tests.connectors.hubspot.fake_hubspot import FakeHubSpot, error
from tests.engine.conftest import MakeHarness

LIVE_CRM = Settings.model_construct(connector={"crm": "bot.connectors.hubspot:connect"})
FREIGHT_CLAIM = Path(__file__).parents[3] / "sops" / "freight-claim.yml"
NOTE = """\
    id: note-claim
    title: Note a carrier's call on a claim
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: note-claim}
    inputs:
      claim_id: {type: string}
    permissions:
      allow: [crm.add_note]
    escalation:
      to: [U04LEE]
    steps:
      - id: note
        action: crm.add_note
        with: {object_type: claim, object_id: "{{ inputs.claim_id }}", body: Carrier called back}
        idempotency_key: "carrier-call-{{ run.id }}"
        on_failure: {then: escalate}
      - id: done
        end: completed
"""


@pytest.fixture
def live_crm(
    monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer, portal: FakeHubSpot, mapping_file: Path
) -> FakeHubSpot:
    """The operator's environment: the token, the fake as HubSpot's API, the mapping."""
    monkeypatch.setenv("SOPBOT_HUBSPOT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("SOPBOT_HUBSPOT_API_URL", httpserver.url_for("/"))
    monkeypatch.setenv("SOPBOT_HUBSPOT_MAPPING", str(mapping_file))
    monkeypatch.setenv("SOPBOT_HUBSPOT_TIMEOUT", "2")
    return portal


Serve = Callable[..., Harness]


@pytest.fixture
def serve(make_harness: MakeHarness, live_crm: FakeHubSpot) -> Serve:
    """``serve(*sop_yaml)``: a Harness serving the freight claim and those SOPs, with the
    CRM on HubSpot."""

    def open_on_hubspot(*texts: str) -> Harness:
        harness = make_harness(
            load_file(FREIGHT_CLAIM),
            *texts,
            settings=LIVE_CRM,
            secrets={"carrier_portal_key": "portal-key"},
        )
        assert isinstance(harness.engine.runtime.connectors["crm"], HubSpotConnector)
        return harness

    return open_on_hubspot


def test_a_large_freight_claim_runs_end_to_end_on_hubspot_and_the_token_stays_hidden(
    database: Database,
    serve: Serve,
    live_crm: FakeHubSpot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    harness = serve()
    live_crm.fail_next(lambda request: error(502, "Bad gateway", "INTERNAL_ERROR"))

    run = harness.start("freight-claim", {"claim_id": "CL-7002"})
    assert run.status == "waiting_timer", "the 502 waits for the step's retry"
    harness.advance(dt.timedelta(seconds=30))

    task = pending(harness, run.id, "collect_evidence")
    assert task.deciders == ["U06ANA"], "the HubSpot owner of Globex is Ana's Slack user"
    harness.complete(
        task.id,
        "U06ANA",
        {
            "evidence_url": "https://files.example/cl-7002",
            "bill_of_lading": "BOL-5531",
            "damage_summary": "Reefer unit failed",
        },
    )
    approve(harness, run.id, "record_evidence")  # assist mode: each write is confirmed
    ((note_id, note),) = live_crm.records("notes").items()
    assert note["hs_note_body"] == (
        "Evidence: https://files.example/cl-7002 (bill of lading BOL-5531). Reefer unit failed"
    )
    assert live_crm.attached("notes", note_id, "p_freight_claims") == ["3002"]

    manager = pending(harness, run.id, "manager_approval")
    assert manager.package["summary"] == (
        "File a 7800.0 claim against Northstar Haulage for Globex Retail"
    )
    harness.decide(manager.id, "U04LEE", "approve")
    approve(harness, run.id, "confirm_to_customer")
    assert harness.run(run.id).status == "waiting_timer", "filed; following up"
    assert [call.operation for call in harness.tool_calls()] == ["http.request", "email.send"]

    live_crm.records("p_freight_claims")["3002"]["status"] = "approved"
    harness.advance(dt.timedelta(days=7))
    approve(harness, run.id, "tell_customer_decision")

    finished = harness.run(run.id)
    assert finished.status == "completed", finished.reason
    assert finished.reason == "Claim CL-7002 closed as approved"
    decision = harness.tool_calls("email.send")[-1]
    assert "Payment follows the carrier terms" in json.dumps(decision.arguments)
    with database.session() as session:
        trail = json.dumps([(e.detail, e.reason) for e in audit.recent(session)], default=str)
    assert "HubSpot failed with 502 while reading claim CL-7002" in trail
    chat = json.dumps([message.text for message in harness.chat.posted])
    for where in (trail, chat, caplog.text):
        assert TOKEN not in where
        assert TOKEN[8:] not in where


def pending(harness: Harness, run_id: str, step: str) -> Approval:
    """The run's one open approval or task at ``step``."""
    found = [item for item in harness.pending(run_id) if item.step_id == step]
    assert len(found) == 1, [item.step_id for item in harness.pending(run_id)]
    return found[0]


def approve(harness: Harness, run_id: str, step: str) -> None:
    """Approve the confirmation of ``step`` as its first decider who did not start the run."""
    item = pending(harness, run_id, step)
    decider = next(str(who) for who in item.deciders if who != "U02DEV")
    harness.decide(item.id, decider, "approve")


class ProcessDied(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler sees it."""


class DiesAfterActing:
    """HubSpot does the call, then the process dies before it hears the answer."""

    def __init__(self, connector: HubSpotConnector) -> None:
        self.connector = connector

    def invoke(
        self,
        operation: Operation,
        arguments: dict[str, object],
        *,
        idempotency_key: str | None = None,
    ) -> object:
        self.connector.invoke(operation, arguments, idempotency_key=idempotency_key)
        raise ProcessDied


def test_a_note_repeated_after_a_crash_is_made_once(serve: Serve, live_crm: FakeHubSpot) -> None:
    harness = serve(NOTE)
    connectors = harness.engine.runtime.connectors
    live = connectors["crm"]
    assert isinstance(live, HubSpotConnector)
    connectors["crm"] = DiesAfterActing(live)  # type: ignore[assignment]
    with pytest.raises(ProcessDied):
        harness.start("note-claim", {"claim_id": "CL-7001"})
    connectors["crm"] = live
    harness.engine.runtime.worker_id = "restarted"

    harness.advance(dt.timedelta(seconds=61))  # the dead worker's lease runs out

    (started,) = views.history(harness.database)
    run = harness.run(started.id)
    assert run.status == "completed", run.reason
    ((note_id, note),) = live_crm.records("notes").items()
    assert note["hs_unique_creation_key"] == f"carrier-call-{run.id}"
    assert live_crm.attached("notes", note_id, "p_freight_claims") == ["3001"]
    creates = [
        path
        for method, path, _ in live_crm.requests
        if (method, path) == ("POST", "/crm/v3/objects/notes")
    ]
    assert len(creates) == 1, "the repeat found the first note by its key"
