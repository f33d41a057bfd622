"""``sopbot show``: the summary tells a reviewer what a procedure does without its YAML."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from bot.cli.app import main
from bot.procedure.loader import load_file
from bot.procedure.summary import summarize

REPO = Path(__file__).resolve().parents[2]
SOPS = REPO / "sops"
TODAY = dt.date(2026, 11, 22)


def summary_of(name: str, today: dt.date = TODAY) -> str:
    procedure = load_file(SOPS / f"{name}.yml").procedure
    assert procedure is not None
    return summarize(procedure, today=today)


def section(text: str, title: str) -> list[str]:
    """The lines of one section, each with its runs of spaces squeezed to one."""
    lines = text.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("  ")), len(lines))
    return [" ".join(line.split()) for line in lines[start:end]]


def test_header_says_who_owns_it_how_it_runs_and_when_to_review() -> None:
    text = summary_of("refund-request")
    assert text.startswith("Refund a customer order  [refund-request, version 1]\n")
    assert "owner:      U01MARIA\n" in text
    assert "mode:       assist (every write waits for a one-click approval)\n" in text
    assert "review due: 2027-04-30 (every 180d, last 2026-11-01)\n" in text
    assert "escalation: role:support_leads (S02SUPPORTLEADS)\n" in text


def test_an_overdue_review_is_flagged() -> None:
    assert "review due: 2027-04-30 (OVERDUE)" in summary_of("refund-request", dt.date(2027, 5, 1))


def test_trigger_and_inputs() -> None:
    text = summary_of("refund-request")
    assert section(text, "Trigger") == [
        "/sop run refund",
        'intents: "refund an order", "the customer wants their money back", '
        '"a customer was charged twice"',
    ]
    inputs = " ".join(section(text, "Inputs"))
    assert "order_id: string, required, matches ^[0-9]+$" in inputs
    assert "amount: number, optional, >= 0.01" in inputs


def test_event_and_schedule_triggers() -> None:
    assert section(summary_of("client-onboarding"), "Trigger") == [
        "event crm deal.stage_changed where event.stage == 'closed_won'",
        'intents: "onboard a new client", "we closed a deal, set up the new customer", '
        '"kick off onboarding for a new account"',
    ]
    assert "schedule 0 9 * * MON (Europe/Berlin)" in section(
        summary_of("weekly-kpi-report"), "Trigger"
    )


def test_steps_are_numbered_with_kind_and_meaning() -> None:
    steps = section(summary_of("refund-request"), "Steps")
    numbered = [line for line in steps if re.match(r"\d+\. ", line)]
    assert len(numbered) == 14
    assert numbered[0].split()[:3] == ["1.", "look_up_order", "action"]
    assert numbered[3].split()[:3] == ["4.", "finance_approval", "approval"]
    text = " ".join(steps)
    assert "crm.get_order → order; on failure: 3 retries from 10s, then escalate to" in text
    assert (
        "if refund_amount > constants.approval_above → finance_approval; otherwise → refund" in text
    )
    assert "hand over to U03SAM and end the run" in text


def test_approvals_say_who_when_and_what_happens_on_timeout_and_rejection() -> None:
    approvals = section(summary_of("refund-request"), "Approvals")
    assert approvals == [
        "finance_approval: Finance approves refunds over 500",
        "who: role:finance (S01FINANCE); 1 needed, not the starter",
        "when: refund_amount > constants.approval_above (at check_policy)",
        "covers: refund",
        "timeout: 1d, then escalate to U03SAM; reminders every 4h (those missed while down are"
        " all sent,",
        "marked late)",
        "rejected: go to tell_requester_rejected",
    ]


def test_approval_reached_through_steps_after_a_decision_names_that_decision() -> None:
    approvals = section(summary_of("freight-claim"), "Approvals")
    assert "when: claim.amount > 5000 (at by_amount)" in approvals


def test_dynamic_approver_and_otherwise_branch() -> None:
    approvals = section(summary_of("pto-request"), "Approvals")
    assert "who: {{ employee.supervisor }}; 1 needed, not the starter" in approvals
    assert "when: no case of check_request holds" in approvals


def test_limits_and_guardrails() -> None:
    rules = " ".join(section(summary_of("refund-request"), "Permissions and guardrails"))
    assert "allowed: crm.get_order, crm.refund, crm.add_note, email.send, slack.dm" in rules
    assert "limit: crm.refund.amount <= 2000" in rules
    assert "limit: email.send.subject at most 120 characters" in rules
    disclosure = "Refunds usually take 5 to 10 business days to appear on your statement."
    assert f'must say in email.send: "{disclosure}"' in rules
    onboarding = " ".join(section(summary_of("client-onboarding"), "Permissions and guardrails"))
    assert "limit: slack.create_channel.private one of false" in onboarding


def test_sla_clocks_show_deadline_warnings_and_escalation_chain() -> None:
    clocks = " ".join(section(summary_of("sla-priority-routing"), "SLA clocks"))
    assert (
        "enterprise_first_response: 2h when inputs.tier == 'enterprise', stops at first_response; "
        "warns 30m before after 30m unless ticket.assignee → role:team_lead (U04LEE) "
        "at breach → #vp-escalations, role:vp_support (U05VP); runs crm.set_risk "
        "pro_first_response: 8h"
    ) in clocks


def test_sections_without_content_are_left_out() -> None:
    text = summary_of("weekly-kpi-report")
    assert "\nApprovals\n" not in text
    assert "\nSLA clocks\n" not in text


def test_cli_shows_an_sop_by_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "freight-claim", "--sops-dir", str(SOPS)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("File and follow up a freight claim  [freight-claim, version 1]")
    assert "wait until claim.status != 'open', checked at 7d, 14d, 30d" in " ".join(out.split())


def test_cli_finds_an_id_whose_file_has_another_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SOPS / "pto-request.yml", tmp_path / "time-off.yml")
    assert main(["show", "pto-request", "--sops-dir", str(tmp_path)]) == 0
    assert "Request paid time off" in capsys.readouterr().out


def test_cli_reports_a_missing_sop_and_lists_the_known_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SOPS / "pto-request.yml", tmp_path / "pto-request.yml")
    assert main(["show", "vacation", "--sops-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "sopbot show: no SOP 'vacation': it is not a file, and no procedure in "
        f"{tmp_path} has that id (known ids: pto-request)\n"
    )


def test_cli_reports_a_file_that_is_not_an_sop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "notes.yml"
    wrong.write_text("- just\n- a list\n")
    assert main(["show", str(wrong)]) == 1
    error = capsys.readouterr().err
    assert f"{wrong}:1:1: SOP002" in error


def test_cli_writes_the_summary_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "refund.txt"
    assert main(["show", str(SOPS / "refund-request.yml"), "-o", str(output)]) == 0
    assert output.read_text().startswith("Refund a customer order")


def test_cli_reports_an_unwritable_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["show", str(SOPS / "refund-request.yml"), "-o", str(blocker / "x.txt")]) == 1
    assert f"sopbot: cannot write {blocker / 'x.txt'}" in capsys.readouterr().err
