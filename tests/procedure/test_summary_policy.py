"""``sopbot show`` shows the policy a reviewer must judge: what each ``set`` computes (its
expression), what each decision branch tests, and what each end and escalation sets."""

from __future__ import annotations

import datetime as dt
import textwrap

from bot.procedure.loader import load_text
from bot.procedure.summary import summarize

SOP = """\
    id: risk-review
    title: Review an account's risk
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    trigger: {command: risk-review}
    inputs:
      amount: {type: number}
    escalation: {to: [U04LEE]}
    steps:
      - id: score
        set:
          risk: "{{ 'high' if inputs.amount > 500 else 'low' }}"
          label: "Risk {{ inputs.amount }}"
          reviewed: true
      - id: route
        decide:
          - when: risk == 'high'
            goto: hold
        otherwise: clear
      - id: hold
        escalate:
          reason: High risk
          result: {decision: hold, risk: "{{ risk }}"}
      - id: clear
        end: completed
        result: {decision: clear, amount: "{{ inputs.amount }}"}
        message: Cleared
"""


def _steps() -> str:
    loaded = load_text(textwrap.dedent(SOP), "sops/risk-review.yml")
    assert loaded.procedure is not None, [d.render() for d in loaded.diagnostics]
    text = summarize(loaded.procedure, today=dt.date(2026, 12, 1))
    return " ".join(text.split())  # wrapping aside


def test_a_set_step_shows_what_each_name_is_computed_from() -> None:
    assert (
        "compute risk = 'high' if inputs.amount > 500 else 'low'; "
        'label = "Risk {{ inputs.amount }}"; reviewed = true'
    ) in _steps()


def test_a_decision_shows_what_each_branch_tests() -> None:
    assert "if risk == 'high' → hold; otherwise → clear" in _steps()


def test_ends_and_escalations_show_the_result_they_set() -> None:
    steps = _steps()

    assert 'end completed, result decision = "clear"; amount = inputs.amount: Cleared' in steps
    assert 'High risk; result decision = "hold"; risk = risk' in steps
