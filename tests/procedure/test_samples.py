"""The sample library in ``sops/``: clean under the validator and true to its own rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.catalogue.registry import build_catalogue
from bot.guardrails.check import OUTGOING_MESSAGE_OPERATIONS
from bot.guardrails.text import contains_phrase
from bot.procedure.loader import is_sop_file, load_file
from bot.procedure.model import Procedure
from bot.procedure.steps import ActionCall, ActionStep, ApprovalStep, DecideStep, TaskStep, WaitStep
from bot.validation.validator import validate_paths

REPO = Path(__file__).resolve().parents[2]
SOPS = REPO / "sops"
TODAY = dt.date(2026, 11, 22)
SAMPLES = sorted(path for path in SOPS.iterdir() if is_sop_file(path))
PROMISED = {
    "refund-request.yml",
    "client-onboarding.yml",
    "bug-escalation.yml",
    "freight-claim.yml",
    "sla-priority-routing.yml",
    "invoice-collections.yml",
    "post-meeting-follow-up.yml",
    "pto-request.yml",
    "weekly-kpi-report.yml",
}
MODELINE = "# yaml-language-server: $schema=../schema/sop.schema.json"


def procedure_of(path: Path) -> Procedure:
    procedure = load_file(path).procedure
    assert procedure is not None, path
    return procedure


def sample(name: str) -> Procedure:
    return procedure_of(SOPS / f"{name}.yml")


def calls(procedure: Procedure) -> Iterator[ActionCall]:
    """Every tool call the procedure can make: steps, wait refreshes and reminders, SLA links."""
    for step in procedure.steps:
        if isinstance(step, ActionStep):
            yield step
        elif isinstance(step, WaitStep):
            yield from (call for call in (step.wait.refresh, step.wait.while_waiting) if call)
    for clock in procedure.sla:
        for link in clock.escalations:
            yield from link.actions


def test_the_library_has_every_promised_sample() -> None:
    assert {path.name for path in SAMPLES} >= PROMISED


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.stem)
def test_sample_validates_without_errors_or_warnings(path: Path) -> None:
    report = validate_paths([path], today=TODAY)
    assert [diagnostic.render() for diagnostic in report.diagnostics] == []


def test_the_library_validates_as_a_whole() -> None:
    report = validate_paths([SOPS], today=TODAY)
    assert [diagnostic.render() for diagnostic in report.diagnostics] == []
    assert {procedure.id for procedure in report.procedures} >= {
        name.removesuffix(".yml") for name in PROMISED
    }


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.stem)
def test_sample_points_editors_at_the_schema(path: Path) -> None:
    first_line = path.read_text().splitlines()[0]
    assert first_line == MODELINE
    schema = (path.parent / MODELINE.split("$schema=", 1)[1]).resolve()
    assert schema == REPO / "schema" / "sop.schema.json"
    assert schema.is_file()


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.stem)
def test_sample_messages_pass_their_own_guardrails(path: Path) -> None:
    """A template that forgets its disclosure, or holds a forbidden phrase, is blocked at run
    time; checked with the guardrails' own matcher on the template text."""
    procedure = procedure_of(path)
    catalogue = build_catalogue()
    for call in calls(procedure):
        operation = catalogue.get(call.action)
        assert operation is not None
        text = "\n".join(str(call.with_.get(name, "")) for name in operation.text_args)
        for phrase in procedure.guardrails.forbidden_phrases:
            assert not contains_phrase(text, phrase), (call.action, phrase)
        for disclosure in procedure.guardrails.required_disclosures:
            if call.action in (disclosure.applies_to or OUTGOING_MESSAGE_OPERATIONS):
                assert contains_phrase(text, disclosure.text), (call.action, disclosure.text)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.stem)
def test_sample_is_kept_current_and_has_someone_to_escalate_to(path: Path) -> None:
    procedure = procedure_of(path)
    assert procedure.review.last_reviewed >= dt.date(2026, 11, 1)
    assert procedure.review.every >= dt.timedelta(days=180)
    assert procedure.escalation is not None
    if any(call.action == "email.send" for call in calls(procedure)):
        assert procedure.guardrails.forbidden_phrases, "customer email needs guardrails"


def test_refund_needs_finance_over_500_and_is_hard_limited_at_2000() -> None:
    refund = sample("refund-request")
    assert refund.permissions.limits["crm.refund"]["amount"].max == 2000
    policy = next(step for step in refund.steps if isinstance(step, DecideStep))
    to_approval = next(case for case in policy.decide if case.goto == "finance_approval")
    assert to_approval.when == "refund_amount > constants.approval_above"
    approval = next(step for step in refund.steps if isinstance(step, ApprovalStep))
    assert approval.approval.covers == ["refund"]
    assert approval.approval.on_reject is not None


def test_onboarding_starts_on_closed_won_and_has_twelve_steps() -> None:
    onboarding = sample("client-onboarding")
    (event,) = onboarding.trigger.events
    assert event.source == "crm"
    assert event.filter == "event.stage == 'closed_won'"
    assert len(onboarding.steps) == 12


def test_freight_claim_collects_evidence_and_follows_up_at_7_14_30_days() -> None:
    claim = sample("freight-claim")
    assert any(isinstance(step, TaskStep) for step in claim.steps)
    (follow_up,) = (step for step in claim.steps if isinstance(step, WaitStep))
    assert follow_up.wait.check_at == [dt.timedelta(days=days) for days in (7, 14, 30)]
    assert follow_up.wait.refresh is not None
    assert follow_up.wait.while_waiting is not None


def test_sla_routing_escalates_at_30_minutes_and_at_breach() -> None:
    (enterprise, _pro) = sample("sla-priority-routing").sla
    assert enterprise.deadline == dt.timedelta(hours=2)
    assert enterprise.applies_when == "inputs.tier == 'enterprise'"
    unassigned, breach = enterprise.escalations
    assert unassigned.after == dt.timedelta(minutes=30)
    assert breach.after == "breach"
    assert [action.action for action in breach.actions] == ["crm.set_risk"]


def test_kpi_report_runs_monday_morning_in_a_named_time_zone() -> None:
    schedule = sample("weekly-kpi-report").trigger.schedule
    assert schedule is not None
    assert (schedule.cron, schedule.timezone) == ("0 9 * * MON", "Europe/Berlin")
