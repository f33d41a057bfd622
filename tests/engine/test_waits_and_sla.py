"""Clocks: waits re-checked at 7, 14 and 30 days, SLA warnings, escalation links, breaches."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.catalogue.operation import Operation
from bot.harness import Harness
from storage import sla
from storage.models import SlaClockRow
from tests.engine.conftest import MakeHarness

CLAIM = """\
    id: claim-follow-up
    title: Claim follow-up
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: claim}
    inputs:
      claim_id: {type: string}
    permissions:
      allow: [email.send]
    escalation:
      to: [U04LEE]
    steps:
      - id: read
        action: crm.get_claim
        with: {claim_id: "{{ inputs.claim_id }}"}
        save_as: claim
      - id: await_carrier
        wait:
          until: "claim.status != 'open'"
          check_at: [7d, 14d, 30d]
          refresh:
            action: crm.get_claim
            with: {claim_id: "{{ inputs.claim_id }}"}
            save_as: claim
          while_waiting:
            action: email.send
            with:
              to: ["{{ claim.contact_email }}"]
              subject: "Claim {{ claim.id }} is still open"
              body: "We are still waiting for the carrier."
          on_timeout: escalate
        on_failure: {then: escalate}
      - id: closed
        end: completed
        message: "claim {{ claim.id }} is {{ claim.status }}"
"""


def _update_claim(harness: Harness, status: str) -> None:
    operation = harness.engine.runtime.catalogue.get("crm.update_claim")
    assert isinstance(operation, Operation)
    harness.tools.invoke(operation, {"claim_id": "CL-7001", "status": status})


def test_follow_ups_go_out_at_7_and_14_days_until_the_claim_is_settled(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(CLAIM)
    run = harness.start("claim", {"claim_id": "CL-7001"})
    assert run.status == "waiting_timer"
    harness.advance(dt.timedelta(days=6, hours=23))
    assert harness.tool_calls("email.send") == []
    harness.advance(dt.timedelta(hours=1))
    assert len(harness.tool_calls("email.send")) == 1
    harness.advance(dt.timedelta(days=7))
    assert len(harness.tool_calls("email.send")) == 2
    _update_claim(harness, "approved")
    harness.advance(dt.timedelta(days=16))
    finished = harness.run(run.id)
    assert finished.status == "completed"
    assert finished.reason == "claim CL-7001 is approved"
    assert len(harness.tool_calls("email.send")) == 2


def test_an_unresolved_wait_escalates_after_the_last_check(make_harness: MakeHarness) -> None:
    harness = make_harness(CLAIM)
    run = harness.start("claim", {"claim_id": "CL-7001"})
    harness.advance(dt.timedelta(days=29))
    assert harness.run(run.id).status == "waiting_timer"
    harness.advance(dt.timedelta(days=1))
    finished = harness.run(run.id)
    assert finished.status == "escalated"
    assert "still waiting for" in (finished.reason or "")


def test_overdue_timers_fire_late_after_downtime_and_are_never_dropped(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(CLAIM)
    run = harness.start("claim", {"claim_id": "CL-7001"})
    harness.clock.advance(dt.timedelta(days=9))  # nobody was running for nine days
    harness.engine.run_due()
    assert len(harness.tool_calls("email.send")) == 1
    assert harness.run(run.id).status == "waiting_timer"


TICKET = """\
    id: first-response
    title: Enterprise first response
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: ticket}
    inputs:
      ticket_id: {type: string}
      tier: {type: string}
    permissions:
      allow: [crm.set_risk]
    escalation:
      to: [U04LEE]
    sla:
      - id: first_response
        applies_when: "inputs.tier == 'enterprise'"
        deadline: 2h
        stops_at: answered
        warn_before: [15m]
        escalations:
          - after: 30m
            unless: "ticket.assignee"
            to: [U04LEE]
            message: "{{ inputs.ticket_id }} is unassigned after 30 minutes"
          - after: breach
            to: ["#vp-escalations"]
            actions:
              - action: crm.set_risk
                with: {account_id: "{{ ticket.account_id }}", score: 80, reason: "SLA breach"}
    steps:
      - id: read
        action: crm.get_ticket
        with: {ticket_id: "{{ inputs.ticket_id }}"}
        save_as: ticket
      - id: reply
        task:
          assignee: U02DEV
          instructions: "Answer {{ ticket.id }}"
          due: 1d
          on_timeout: escalate
      - id: answered
        end: completed
"""


def test_an_sla_clock_escalates_link_by_link_and_breaches(make_harness: MakeHarness) -> None:
    harness = make_harness(TICKET)
    run = harness.start("ticket", {"ticket_id": "T-502", "tier": "enterprise"})  # unassigned
    assert run.status == "waiting_human"
    harness.advance(dt.timedelta(minutes=30))
    assert [m.text for m in harness.chat.to("U04LEE")] == ["T-502 is unassigned after 30 minutes"]
    harness.advance(dt.timedelta(minutes=75))
    assert any("breaches in 15m" in m.text for m in harness.chat.alerts())
    harness.advance(dt.timedelta(minutes=15))
    assert any("breached" in m.text for m in harness.chat.to("#vp-escalations"))
    assert [call.arguments["score"] for call in harness.tool_calls("crm.set_risk")] == [80]
    with harness.database.session() as session:
        assert sla.running_clocks(session, run.id) == []
        (clock,) = session.scalars(select(SlaClockRow).where(SlaClockRow.run_id == run.id))
        assert clock.status == "breached"
        assert clock.breached_at == harness.clock.now()


def test_meeting_the_sla_stops_its_clock(make_harness: MakeHarness) -> None:
    harness = make_harness(TICKET)
    run = harness.start("ticket", {"ticket_id": "T-502", "tier": "enterprise"})
    (task,) = harness.pending(run.id)
    harness.complete(task.id, "U02DEV", {})
    assert harness.run(run.id).status == "completed"
    harness.advance(dt.timedelta(hours=3))
    assert harness.chat.alerts() == []
    assert harness.tool_calls("crm.set_risk") == []


def test_an_sla_that_does_not_apply_never_starts(make_harness: MakeHarness) -> None:
    harness = make_harness(TICKET)
    harness.start("ticket", {"ticket_id": "T-502", "tier": "pro"})
    harness.advance(dt.timedelta(hours=3))
    assert harness.chat.alerts() == []
