"""Tool stubs at the connector boundary: outages, 429s and timeouts make the real engine
retry, back off and apply the SOP's failure rules, exactly as a flaky tool would."""

from __future__ import annotations

from tests.scenarios.conftest import RunScenarios

REFUND_1043 = """\
- name: {name}
  as: U02DEV
  inputs: {{order_id: "1043", reason: Wrong size}}
  mode: autonomous
  tools:
    {tools}
  then:
{then}
"""


ALL_DONE = "expect: {status: completed, actions: [crm.refund, email.send, crm.add_note, slack.dm]}"


def scenario(name: str, tools: str, *then: str) -> str:
    return REFUND_1043.format(
        name=name, tools=tools, then="\n".join(f"    - {step}" for step in then)
    )


def test_an_outage_is_retried_with_backoff_until_the_tool_answers(
    run_scenarios: RunScenarios,
) -> None:
    outcome = run_scenarios(
        scenario(
            "outage then success",
            "crm.get_order: {fail: outage, times: 2}",
            "expect: {status: waiting_timer, steps: [look_up_order]}",
            "wait: 29s",
            "expect: {status: waiting_timer}",
            "wait: 1s",
            ALL_DONE,
        )
    )
    assert outcome.lines[-1] == "1 passed, 0 failed", outcome.text


def test_a_429_is_retried_no_sooner_than_the_tool_asks(run_scenarios: RunScenarios) -> None:
    outcome = run_scenarios(
        scenario(
            "rate limited",
            "crm.refund: {fail: rate_limit, retry_after: 2m}",
            "wait: 1m59s",
            "expect: {status: waiting_timer, actions: []}",
            "wait: 1s",
            ALL_DONE,
        )
    )
    assert outcome.lines[-1] == "1 passed, 0 failed", outcome.text


def test_a_timeout_after_the_tool_acted_does_not_refund_twice(
    run_scenarios: RunScenarios,
) -> None:
    outcome = run_scenarios(
        scenario(
            "lost answer",
            "crm.refund: {fail: timeout, performed: true}",
            "expect: {status: waiting_timer, actions: [crm.refund]}",
            "wait: 30s",
            ALL_DONE,
        )
    )
    assert outcome.lines[-1] == "1 passed, 0 failed", outcome.text


def test_a_tool_that_stays_down_ends_in_the_sops_failure_rule(
    run_scenarios: RunScenarios,
) -> None:
    outcome = run_scenarios(
        scenario(
            "down for good",
            "email.send: {fail: outage, times: always}",
            "wait: 1h",
            "expect: {status: escalated, escalations: [{to: [U02DEV]}], actions: [crm.refund]}",
        )
    )
    assert outcome.lines[-1] == "1 passed, 0 failed", outcome.text


def test_stubs_apply_in_order(run_scenarios: RunScenarios) -> None:
    outcome = run_scenarios(
        scenario(
            "an outage, then a 429",
            "crm.refund: [{fail: outage}, {fail: rate_limit, retry_after: 1m}]",
            "wait: 1m29s",
            "expect: {status: waiting_timer, actions: []}",
            "wait: 1s",
            "expect: {status: completed}",
        )
        + scenario(
            "an answer instead of the tool",
            "crm.get_order: {answer: {id: '1043', account_id: initech, total: 80, currency: USD,"
            " status: delivered, customer_email: priya@initech.example}}",
            "expect: {status: completed, actions: [{crm.refund: {amount: 80}}, email.send,"
            " crm.add_note, slack.dm]}",
        )
    )
    assert outcome.lines[-1] == "2 passed, 0 failed", outcome.text


def test_after_lets_the_first_calls_reach_the_tool(run_scenarios: RunScenarios) -> None:
    outcome = run_scenarios(
        """\
        - name: the warning fails, the summary does not
          as: U01MARIA
          tools:
            slack.post: {after: 1, fail: refused}
          then:
            - expect: {status: completed, actions: [{slack.post: {channel: "#ops"}}]}
        - name: without after, the summary fails
          as: U01MARIA
          tools:
            slack.post: {fail: refused}
          then:
            - expect: {status: escalated, actions: []}
        """,
        sop="weekly-kpi-report",
    )
    assert outcome.lines[-1] == "2 passed, 0 failed", outcome.text
