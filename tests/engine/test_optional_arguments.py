"""A missing optional input leaves its argument out of the call, so the tool uses its own
default instead of refusing a null it does not take."""

from __future__ import annotations

from tests.engine.conftest import MakeHarness

FOLLOW_UP = """\
    id: follow-up
    title: Follow up
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: follow-up}
    inputs:
      account: {type: string}
      days: {type: integer, required: false}
    permissions:
      allow: [crm.create_task]
    steps:
      - id: remind
        action: crm.create_task
        with:
          account_id: "{{ inputs.account }}"
          title: Call back
          owner: U01MARIA
          due_in_days: "{{ inputs.days }}"
        on_failure: stop
      - id: done
        end: completed
"""


def test_a_missing_optional_input_leaves_its_argument_out(make_harness: MakeHarness) -> None:
    harness = make_harness(FOLLOW_UP)
    run = harness.start("follow-up", {"account": "globex"})
    assert run.status == "completed", run.reason
    (call,) = harness.tool_calls("crm.create_task")
    assert call.arguments["due_in_days"] == 3  # crm.create_task's own default


def test_a_given_optional_input_is_sent(make_harness: MakeHarness) -> None:
    harness = make_harness(FOLLOW_UP)
    run = harness.start("follow-up", {"account": "globex", "days": "5"})
    assert run.status == "completed", run.reason
    (call,) = harness.tool_calls("crm.create_task")
    assert call.arguments["due_in_days"] == 5
