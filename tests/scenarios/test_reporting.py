"""What ``sopbot test`` prints and returns: pytest-like lines, failures with expected and
actual values and the run's journal, the summary alone on the last line, exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.cli.app import main
from tests.scenarios.conftest import SOPS, RunScenarios

WRONG = """\
- name: a small refund goes through
  as: U02DEV
  inputs: {order_id: "1043", reason: Wrong size}
  mode: autonomous
  then:
    - expect: {status: completed, actions: [crm.refund, email.send, crm.add_note, slack.dm]}

- name: a refund over 500 completes at once
  as: U02DEV
  inputs: {order_id: "1042", reason: Arrived damaged}
  mode: autonomous
  then:
    - expect:
        status: completed
        actions: [{crm.refund: {amount: 640}}]
"""


def test_a_wrong_expectation_fails_with_expected_actual_and_the_journal(
    run_scenarios: RunScenarios, tmp_path: Path
) -> None:
    outcome = run_scenarios(WRONG)
    assert outcome.code == 1
    assert outcome.lines[:2] == [
        "refund-request::a small refund goes through PASSED",
        "refund-request::a refund over 500 completes at once FAILED",
    ]
    failure = outcome.lines[
        outcome.lines.index("___ refund-request::a refund over 500 completes at once ___") :
    ]
    where = f"{tmp_path / 'refund-request.test.yml'}:13:7"
    assert failure[1] == f"{where}: then[0].expect: the expectation does not hold"
    assert failure[2:8] == [
        "  status:",
        "    expected: completed",
        "    actual:   waiting_approval",
        "  actions:",
        "    expected: - crm.refund(amount=640)",
        "    actual:   none",
    ]
    assert re.fullmatch(r"run r-\w+ is waiting_approval at finance_approval", failure[8])
    assert failure[9] == "journal:"
    assert re.fullmatch(
        r"\s+1  11-23 09:00  look_up_order\s+crm.get_order\s+succeeded", failure[10]
    )
    assert outcome.lines[-1] == "1 passed, 1 failed"


def test_a_decision_the_scenario_cannot_make_fails_with_the_reason(
    run_scenarios: RunScenarios,
) -> None:
    outcome = run_scenarios(
        """\
        - name: the support lead approves a refund
          as: U02DEV
          inputs: {order_id: "1042", reason: Arrived damaged}
          mode: autonomous
          then:
            - approve: {as: U04LEE}
        - name: finance approves twice
          as: U02DEV
          inputs: {order_id: "1042", reason: Arrived damaged}
          mode: autonomous
          then:
            - approve: {as: U03SAM}
            - approve: {as: U03SAM}
        """
    )
    assert outcome.code == 1
    assert (
        ": then[0].approve: U04LEE could not approve finance_approval: "
        "only <!subteam^S01FINANCE> may decide" in outcome.text
    )
    assert re.search(
        r": then\[1\]\.approve: no approval is open: run r-\w+ is completed at done: "
        r"Refunded 640.0 USD on 1042",
        outcome.text,
    )
    assert outcome.lines[-1] == "0 passed, 2 failed"


def test_an_expected_refusal_that_does_not_come_fails(run_scenarios: RunScenarios) -> None:
    outcome = run_scenarios(
        """\
        - name: finance may approve
          as: U02DEV
          inputs: {order_id: "1042", reason: Arrived damaged}
          mode: autonomous
          then:
            - approve: {as: U03SAM, refused: may decide}
        """
    )
    assert outcome.code == 1
    assert "sopbot let U03SAM approve finance_approval; expected a refusal" in outcome.text


def test_k_runs_only_the_scenarios_whose_name_matches(run_scenarios: RunScenarios) -> None:
    outcome = run_scenarios(WRONG, "-k", "SMALL refund")
    assert outcome.lines == [
        "refund-request::a small refund goes through PASSED",
        "1 passed, 0 failed",
    ]
    assert outcome.code == 0


def test_a_filter_that_matches_nothing_is_a_usage_error(run_scenarios: RunScenarios) -> None:
    outcome = run_scenarios(WRONG, "-k", "payroll")
    assert outcome.code == 2
    assert "no scenarios matching -k 'payroll'" in outcome.errors


def test_json_output_carries_each_scenario_and_its_failure(run_scenarios: RunScenarios) -> None:
    outcome = run_scenarios(WRONG, "--format", "json")
    assert outcome.code == 1
    report = json.loads(outcome.text)
    assert (report["passed"], report["failed"], report["diagnostics"]) == (1, 1, [])
    failed = report["scenarios"][1]
    assert failed["outcome"] == "failed"
    assert failed["failure"]["step"] == "then[0].expect"
    assert failed["failure"]["mismatches"][0] == {
        "what": "status",
        "expected": "completed",
        "actual": "waiting_approval",
    }
    assert failed["failure"]["journal"]


def test_a_folder_lists_the_sops_that_have_no_scenarios(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile(SOPS / "weekly-kpi-report.yml", tmp_path / "weekly-kpi-report.yml")
    (tmp_path / "weekly-kpi-report.test.yml").write_text(
        "- name: anyone can ask for last month's report\n"
        "  as: U01MARIA\n"
        "  inputs: {period: last_month}\n"
        "  then:\n"
        "    - expect: {status: completed}\n"
    )
    shutil.copyfile(SOPS / "pto-request.yml", tmp_path / "pto-request.yml")
    assert main(["test", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "weekly-kpi-report::anyone can ask for last month's report PASSED",
        f"no scenarios for {tmp_path / 'pto-request.yml'}",
        "1 passed, 0 failed",
    ]


def test_an_sop_without_a_scenario_file_or_a_missing_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile(SOPS / "pto-request.yml", tmp_path / "pto-request.yml")
    assert main(["test", str(tmp_path / "pto-request.yml")]) == 2
    assert (
        f"{tmp_path / 'pto-request.test.yml'}:1:1: SCN002 no such scenario file"
        in capsys.readouterr().out
    )
    assert main(["test", str(tmp_path / "nowhere")]) == 2
    assert "nowhere: no such file or folder" in capsys.readouterr().err


def test_scenarios_start_when_the_file_or_the_command_line_says(
    run_scenarios: RunScenarios,
) -> None:
    never = "  then:\n    - expect: {status: escalated}\n"
    start = '  as: U02DEV\n  inputs: {order_id: "1043", reason: Wrong size}\n'
    outcome = run_scenarios(
        f"- name: on a Tuesday\n  start_at: 2026-12-01T10:30Z\n{start}{never}"
        f"- name: when the command line says\n{start}{never}",
        "--start",
        "2026-12-24T08:00",
    )
    journal = [line for line in outcome.lines if "look_up_order" in line]
    assert [line.split()[1:3] for line in journal] == [["12-01", "10:30"], ["12-24", "08:00"]]
