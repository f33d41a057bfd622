"""An end or escalate step sets the run's result values: typed, kept with the run, shown by
``/sop status``, in the audit (``run.finish``) and in ``sopbot audit --format json``."""

from __future__ import annotations

import datetime as dt
import json

from bot.app import views
from bot.app.commands.replies import run_status
from bot.audit.timeline import timeline_json
from storage import audit
from tests.engine.conftest import MakeHarness

TRIAGE = """\
    id: triage
    title: Triage an account
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: triage}
    inputs:
      score: {type: integer}
    escalation: {to: [U04LEE]}
    steps:
      - id: route
        decide:
          - when: inputs.score >= 90
            goto: too_risky
        otherwise: suspend
      - id: suspend
        end: completed
        message: Suspended
        result:
          decision: suspend
          risk: "{{ 'high' if inputs.score > 50 else 'medium' }}"
          score: "{{ inputs.score }}"
      - id: too_risky
        escalate:
          reason: "Score {{ inputs.score }} needs a person"
          result: {decision: review, score: "{{ inputs.score }}"}
"""


def test_an_end_sets_typed_result_values_shown_and_audited(make_harness: MakeHarness) -> None:
    harness = make_harness(TRIAGE)
    run = harness.start("triage", {"score": "60"})
    assert run.status == "completed"
    detail = views.run_detail(harness.database, run.id)
    assert detail.result == {"decision": "suspend", "risk": "high", "score": 60}
    shown = run_status(detail, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert "  result values: decision=suspend, risk=high, score=60" in shown  # by name
    with harness.database.session(read_only=True) as session:
        events = audit.events_for_run(session, run.id)
        (finish,) = [event for event in events if event.action == "run.finish"]
        assert finish.detail["result"] == {"decision": "suspend", "risk": "high", "score": 60}
        exported = json.loads(timeline_json(events))
    (exported_finish,) = [event for event in exported if event["action"] == "run.finish"]
    assert exported_finish["detail"]["result"]["decision"] == "suspend"


def test_an_escalation_sets_its_result_values(make_harness: MakeHarness) -> None:
    harness = make_harness(TRIAGE)
    run = harness.start("triage", {"score": "95"})
    assert run.status == "escalated"
    assert views.run_detail(harness.database, run.id).result == {"decision": "review", "score": 95}


def test_a_result_that_cannot_be_computed_escalates_saying_which(
    make_harness: MakeHarness,
) -> None:
    broken = TRIAGE.replace(
        'score: "{{ inputs.score }}"\n      - id: too_risky',
        'score: "{{ inputs.score / 0 }}"\n      - id: too_risky',
    )
    harness = make_harness(broken)
    run = harness.start("triage", {"score": "60"})
    assert run.status == "escalated"
    assert run.reason is not None
    assert run.reason.startswith("cannot compute the result score in suspend:")
