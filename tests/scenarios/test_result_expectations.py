"""A scenario asserts the run's result values with ``expect: result: {…}`` (the keys it
names must match), and a wrong one fails with expected and actual values."""

from __future__ import annotations

from tests.scenarios.conftest import RunScenarios

RESULTS = """\
- name: the refund's result is refunded
  as: U02DEV
  inputs: {order_id: "1043", reason: Wrong size}
  mode: autonomous
  then:
    - expect: {status: completed, result: {decision: refunded, amount: 120}}

- name: a wrong result fails
  as: U02DEV
  inputs: {order_id: "1044", reason: Damaged}
  mode: autonomous
  then:
    - expect: {result: {decision: rejected}}
"""


def test_result_values_are_checked(run_scenarios: RunScenarios) -> None:
    outcome = run_scenarios(RESULTS)
    assert outcome.lines[:2] == [
        "refund-request::the refund's result is refunded PASSED",
        "refund-request::a wrong result fails FAILED",
    ]
    start = outcome.lines.index("  result:")
    assert outcome.lines[start : start + 3] == [
        "  result:",
        "    expected: {'decision': 'rejected'}",
        "    actual:   {'decision': 'already_refunded'}",
    ]
