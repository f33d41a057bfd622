"""Shadow mode runs a procedure that opens a ticket and then reads it to its end: the write
answers with a simulated result, the read that uses its id is simulated too, and both are
marked as simulated in the journal, the audit and /sop status."""

from __future__ import annotations

from bot.app import views
from bot.app.commands.replies import run_status
from bot.catalogue.builtin.jira import IssueRef
from bot.engine.placeholders import simulated_result
from storage import journal
from tests.engine.conftest import MakeHarness

TICKET_THEN_READ = """\
    id: triage
    title: Triage a bug
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: shadow
    trigger: {command: triage}
    inputs:
      title: {type: string}
      order_id: {type: string}
    permissions:
      allow: [jira.create_issue, jira.get_issue, crm.get_order]
    steps:
      - id: open
        action: jira.create_issue
        with: {project: BUG, summary: "{{ inputs.title }}"}
        save_as: ticket
        on_failure: {then: escalate}
      - id: look
        action: jira.get_issue
        with: {key: "{{ ticket.key }}"}
        save_as: issue
        on_failure: {then: escalate}
      - id: order
        action: crm.get_order
        with: {order_id: "{{ inputs.order_id }}"}
        save_as: order
        on_failure: {then: escalate}
      - id: route
        decide:
          - when: issue.key == ticket.key
            goto: done
        otherwise: wrong
      - id: wrong
        end: failed
      - id: done
        end: completed
        message: "Opened {{ issue.key }} for {{ order.id }}"
"""


def test_a_ticket_then_read_procedure_runs_to_its_end_in_shadow_mode(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(TICKET_THEN_READ)

    run = harness.start("triage", {"title": "Checkout fails", "order_id": "1043"})

    assert run.status == "completed", run.reason
    assert harness.tool_calls() == []  # nothing outside changed
    with harness.database.session() as session:
        entries = {entry.step_id: entry for entry in journal.steps_for_run(session, run.id)}
    assert {step: entry.status for step, entry in entries.items()} == {
        "open": "would_do",
        "look": "would_read",
        "order": "succeeded",  # a read that depends on nothing simulated is made for real
    }
    ticket = (entries["open"].response or {})["result"]
    assert ticket["key"].startswith("SIM-")
    assert ticket["simulated"] is True
    assert entries["open"].response == {"result": ticket, "simulated": True}
    issue = (entries["look"].response or {})["result"]
    assert issue["key"] == ticket["key"]
    assert issue["simulated"] is True
    assert run.reason == f"Opened {ticket['key']} for 1043"


def test_simulated_calls_are_marked_in_the_audit_and_in_status(make_harness: MakeHarness) -> None:
    harness = make_harness(TICKET_THEN_READ)
    run = harness.start("triage", {"title": "Checkout fails", "order_id": "1043"})

    trail = {entry.step_id: entry for entry in views.audit_trail(harness.database, run.id)}
    assert trail["open"].outcome == "would_do"
    assert trail["open"].detail["simulated"] is True
    assert trail["look"].outcome == "would_read"
    assert trail["look"].detail["simulated"] is True
    status = run_status(views.run_detail(harness.database, run.id), harness.clock.now())
    assert "would do (simulated: nothing was changed)" in status
    assert "would read (simulated: it reads what a simulated write returned)" in status


def test_simulated_ids_follow_the_call_so_a_redone_call_makes_up_the_same(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(TICKET_THEN_READ)
    first = harness.start("triage", {"title": "A", "order_id": "1043"})
    second = harness.start("triage", {"title": "A", "order_id": "1043"})
    now = harness.clock.now()

    redone = [
        simulated_result(IssueRef, seed="r-1/step/open/1", arguments={}, now=now) for _ in range(2)
    ]
    with harness.database.session() as session:
        keys = [
            (entry.response or {})["result"]["key"]
            for run in (first, second)
            for entry in journal.steps_for_run(session, run.id)
            if entry.step_id == "open"
        ]
    assert redone[0] == redone[1]
    assert keys[0] != keys[1]  # each run's call has its own identity, hence its own ids
