"""Scenarios run without a model, so a judge step's pick and a draft step's text are a
person's: ``choose`` picks the judge's option and ``complete`` writes the draft, through
``sopbot test``, and the scenario file's checks know both."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli.app import main
from bot.procedure.loader import load_file, load_text
from bot.scenarios.loader import load_scenario_text
from tests.scenarios.conftest import SOPS, Outcome

RunClaim = Callable[[str], Outcome]

CLAIM = """\
id: claim
title: Claim
owner: U01MARIA
version: 1
review: {every: 365d, last_reviewed: 2026-11-01}
mode: autonomous
trigger: {command: claim}
inputs:
  order_id: {type: string}
  story: {type: string}
roles:
  claims: [U03SAM]
  support: [U07KAI]
permissions:
  allow: [email.send]
guardrails:
  forbidden_phrases: [guaranteed]
  required_disclosures:
    - text: Refunds take 5 to 10 business days.
      applies_to: [email.send]
escalation:
  to: [U04LEE]
steps:
  - id: triage
    judge:
      assignee: role:claims
      question: "Is the claim on order {{ inputs.order_id }} covered?"
      facts: {Story: "{{ inputs.story }}"}
      options:
        - {label: Pay the claim, goto: look_up}
        - {label: Deny the claim, goto: denied}
      timeout: 1d
  - id: look_up
    action: crm.get_order
    with: {order_id: "{{ inputs.order_id }}"}
    save_as: order
    on_failure: escalate
  - id: write
    draft:
      instructions: "Tell the customer their claim on order {{ order.id }} is paid."
      for: email.send
      assignee: role:support
      due: 1d
      on_timeout: escalate
    save_as: reply
  - id: send
    action: email.send
    with:
      to: ["{{ order.customer_email }}"]
      subject: "Order {{ order.id }}"
      body: "{{ reply.text }}"
    on_failure: escalate
  - id: paid
    end: completed
    result: {decision: paid}
  - id: denied
    end: completed
    result: {decision: denied}
"""

TEXT = "Your claim on order 1042 is paid. Refunds take 5 to 10 business days."

START = """\
- name: {name}
  as: U02DEV
  inputs: {{order_id: "1042", story: The box arrived crushed.}}
  then:
"""


@pytest.fixture
def run_claim(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> RunClaim:
    """``run_claim(scenarios)``: ``sopbot test`` on CLAIM with these scenarios."""

    def run(scenarios: str) -> Outcome:
        (tmp_path / "claim.yml").write_text(CLAIM)
        (tmp_path / "claim.test.yml").write_text(textwrap.dedent(scenarios))
        code = main(["test", str(tmp_path / "claim.yml")])
        captured = capsys.readouterr()
        return Outcome(code, captured.out.splitlines(), captured.err)

    return run


def _scenario(name: str, then: str) -> str:
    return START.format(name=name) + textwrap.indent(textwrap.dedent(then), "    ")


def test_a_person_picks_the_judges_option_and_writes_the_draft(run_claim: RunClaim) -> None:
    outcome = run_claim(
        _scenario(
            "Sam pays the claim and Kai writes the reply",
            f"""\
            - expect: {{status: waiting_human, pending: choice}}
            - choose: {{as: U03SAM, option: Pay the claim}}
            - expect: {{pending: write}}
            - complete: {{as: U07KAI, fields: {{text: "{TEXT}"}}}}
            - expect:
                status: completed
                steps: [triage, look_up, write, send, paid]
                actions: [{{email.send: {{body: "{TEXT}"}}}}]
                saved: {{reply: {{text: "{TEXT}"}}}}
                result: {{decision: paid}}
            """,
        )
        + _scenario(
            "Sam denies the claim",
            """\
            - choose: {as: U03SAM, option: Deny the claim, step: triage}
            - expect: {status: completed, steps: [triage, denied], actions: [], result: {decision: denied}}
            """,
        )
    )
    assert outcome.code == 0, outcome.text
    assert outcome.lines[-1] == "2 passed, 0 failed"


def test_a_pick_the_judge_does_not_offer_fails_with_what_was_open(run_claim: RunClaim) -> None:
    outcome = run_claim(
        _scenario(
            "Kai picks for Sam",
            """\
            - choose: {as: U07KAI, option: Pay the claim}
            """,
        )
    )
    assert outcome.code == 1
    assert "U07KAI could not choose triage" in outcome.text


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        (
            "- choose: {as: U03SAM, option: Pay the clam}",
            "SCN212 [0].then[0].choose.option: the choice has no option 'Pay the clam' "
            "(did you mean 'Pay the claim'?)",
        ),
        (
            "- choose: {as: U03SAM, option: Pay the claim, step: write}",
            "SCN204 [0].then[0].choose.step: step 'write' does not open a choice",
        ),
        (
            "- complete: {as: U07KAI, step: write, fields: {body: Sorry}}",
            "SCN207 [0].then[0].complete.fields.body: the task has no field 'body'",
        ),
        (
            "- complete: {as: U07KAI, step: triage}",
            "SCN204 [0].then[0].complete.step: step 'triage' does not open a task",
        ),
    ],
)
def test_the_checks_know_the_judges_options_and_the_drafts_text(then: str, expected: str) -> None:
    loaded = load_scenario_text(
        _scenario("checked", then), "claim.test.yml", sop=load_text(CLAIM, "claim.yml")
    )
    found = [d.render().split(": ", 1)[1] for d in loaded.diagnostics]
    assert found, "expected a finding"
    assert found[0].startswith(expected), found


def test_a_choose_for_a_procedure_without_choices_is_reported() -> None:
    refund = load_file(SOPS / "refund-request.yml")
    text = """\
        - name: picks
          as: U02DEV
          inputs: {order_id: "1042", reason: Broken}
          then:
            - choose: {as: U03SAM, option: Refund}
        """
    loaded = load_scenario_text(textwrap.dedent(text), "refund.test.yml", sop=refund)
    assert [d.render().split(": ", 1)[1] for d in loaded.diagnostics] == [
        "SCN206 [0].then[0].choose: refund-request never opens a choice"
    ]
