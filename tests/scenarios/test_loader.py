"""A broken scenario file is reported with file, line and a fix, never run and never a
traceback: the format's own rules, and the scenario checked against the SOP it tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.cli.app import main
from bot.procedure.loader import load_file
from bot.scenarios.loader import load_scenario_text
from tests.scenarios.conftest import SOPS, RunScenarios

REFUND = load_file(SOPS / "refund-request.yml")


def findings(text: str) -> list[str]:
    """``line:col: CODE location: message`` of each problem in a scenario text for the
    refund SOP."""
    loaded = load_scenario_text(textwrap.dedent(text), "refund.test.yml", sop=REFUND)
    return [d.render().removeprefix("refund.test.yml:") for d in loaded.diagnostics]


def test_a_broken_file_is_reported_with_its_position_and_nothing_runs(
    run_scenarios: RunScenarios,
) -> None:
    outcome = run_scenarios(
        """\
        - name: a small refund
          as: U02DEV
          inputs: {order_id: "1043", reason: Wrong size, amout: 12}
          then:
            - expect: {status: completed}
        """
    )
    assert outcome.code == 2
    assert outcome.lines[-1] == "0 passed, 0 failed, 1 broken file"
    assert any(
        line.endswith(
            "refund-request.test.yml:3:50: SCN201 [0].inputs.amout: "
            "refund-request has no input 'amout' (did you mean 'amount'?)"
        )
        for line in outcome.lines
    )
    assert "    hint: its inputs: order_id, reason, amount" in outcome.lines
    assert not [line for line in outcome.lines if line.endswith(("PASSED", "FAILED"))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- name: [unclosed\n",
            "1:9: SCN001 did not find expected ',' or ']' while parsing a flow sequence",
        ),
        ("name: one scenario\n", "1:1: SCN003 a scenario file holds a list of scenarios"),
        (
            """\
            - name: x
              as: U02DEV
              inputs: {order_id: "1043", reason: x}
              then:
                - expect: {satus: completed}
            """,
            "5:16: SCN102 [0].then[0].expect.satus: unknown key 'satus' (did you mean 'status'?)",
        ),
        (
            """\
            - name: x
              as: U02DEV
              inputs: {order_id: "1043", reason: x}
              then:
                - approve: {as: U03SAM}
                  wait: 1d
            """,
            "5:7: SCN103 [0].then[0]: a then-step is one of approve, reject, complete, choose, wait, "
            "change, tools, expect; this one has: approve, wait",
        ),
        (
            """\
            - name: x
              as: sam
              inputs: {order_id: "1043", reason: x}
              then:
                - expect: {status: completed}
            """,
            "2:7: SCN103 [0].as: 'sam' is not a Slack user ID (such as U02DEV); "
            "people are named by ID",
        ),
        (
            """\
            - name: x
              then:
                - expect: {status: completed}
            """,
            "1:3: SCN103 [0]: a scenario starts one way: a person (as: U02DEV, with inputs), "
            "an event, or schedule: next; this one has none",
        ),
        (
            """\
            - name: x
              as: U02DEV
              inputs: {order_id: "1043", reason: x}
              then:
                - wait: 7
            """,
            "5:13: SCN103 [0].then[0].wait: '7' has no unit; write a duration such as 7s",
        ),
        (
            """\
            - name: x
              as: U02DEV
              inputs: {order_id: "1043", reason: x}
              tools:
                crm.refund: {fail: slow}
              then:
                - expect: {status: completed}
            """,
            "5:24: SCN103 [0].tools.crm.refund.fail: Input should be 'outage', 'rate_limit', "
            "'timeout' or 'refused', got 'slow'",
        ),
    ],
    ids=[
        "yaml",
        "not a list",
        "unknown key",
        "two kinds",
        "user name",
        "no start",
        "duration",
        "failure kind",
    ],
)
def test_the_format_is_checked_with_positions(text: str, expected: str) -> None:
    found = findings(text)
    assert found, "expected a finding"
    assert found[0].startswith(expected), found


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        (
            "- expect: {pending: finance_aproval}",
            "SCN203 [0].then[0].expect.pending: refund-request has no step 'finance_aproval' "
            "(did you mean 'finance_approval'?)",
        ),
        (
            "- expect: {steps: [look_up_order, refund_ammount]}",
            "SCN203 [0].then[0].expect.steps[1]: refund-request has no step 'refund_ammount'",
        ),
        (
            "- complete: {as: U03SAM, fields: {done: true}}",
            "SCN206 [0].then[0].complete: refund-request never opens a task",
        ),
        (
            "- approve: {as: U03SAM, step: check_policy}",
            "SCN204 [0].then[0].approve.step: step 'check_policy' does not open an approval",
        ),
        (
            "- tools: {crm.get_ordr: {fail: outage}}",
            "SCN210 [0].then[0].tools.crm.get_ordr: there is no operation 'crm.get_ordr' "
            "(did you mean 'crm.get_order'?)",
        ),
        (
            "- tools: {crm.get_order: {answer: {id: '1043'}}}",
            "SCN208 [0].then[0].tools.crm.get_order: the answer does not fit what "
            "crm.get_order returns: account_id: Field required",
        ),
        (
            "- expect: {actions: [crm.get_order]}",
            "SCN209 [0].then[0].expect.actions[0]: crm.get_order only reads",
        ),
        (
            "- change: {bill: B-1, set: {status: paid}}",
            "SCN205 [0].then[0].change: the sandbox cannot change a 'bill'",
        ),
    ],
    ids=[
        "pending step",
        "steps",
        "no task",
        "not an approval",
        "operation",
        "answer shape",
        "read as action",
        "record kind",
    ],
)
def test_a_scenario_is_checked_against_its_sop(then: str, expected: str) -> None:
    scenario = (
        '- name: x\n  as: U02DEV\n  inputs: {order_id: "1043", reason: x}\n  then:\n    '
        + then
        + "\n"
    )
    found = findings(scenario)
    assert len(found) == 1, found
    assert found[0].split(": ", 1)[1].startswith(expected), found


def test_starts_the_sop_does_not_have_are_refused() -> None:
    found = findings(
        """\
        - name: by event
          event: {source: helpdesk, type: ticket.created, payload: {ticket_id: T-1}}
          then:
            - expect: {status: completed}
        - name: by event
          schedule: next
          then:
            - expect: {status: completed}
        """
    )
    assert found == [
        "2:10: SCN202 [0].event: refund-request does not start on helpdesk ticket.created events",
        "5:9: SCN211 [1].name: the scenario name 'by event' is already used in this file",
        "6:13: SCN202 [1].schedule: refund-request has no schedule",
    ]


def test_a_scenario_file_needs_a_valid_sop_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = "- name: x\n  as: U02DEV\n  then:\n    - wait: 1d\n"
    (tmp_path / "payroll.test.yml").write_text(scenario)
    (tmp_path / "broken.yml").write_text("id: broken\ntitle: Broken\n")
    (tmp_path / "broken.test.yml").write_text(scenario)
    assert main(["test", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert (
        f"{tmp_path / 'payroll.test.yml'}:1:1: SCN002 no SOP file beside it: "
        f"expected {tmp_path / 'payroll.yml'}"
    ) in out
    assert f"{tmp_path / 'broken.yml'}:1:1: SOP101 missing required key 'owner'" in out
    assert f"SCN004 {tmp_path / 'broken.yml'} has errors, so its scenarios cannot run" in out
    assert out.splitlines()[-1] == "0 passed, 0 failed, 2 broken files"
