"""A prepare step: the model reads what the SOP permits, its package reaches the approval
card and is what the decision approves; without a usable model the facts do, and the run
goes on either way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.app import views
from bot.engine.steps.approval import approval_card, package_hash
from bot.harness import Harness
from bot.llm.models import Models
from storage import audit, journal
from storage.models import Approval, AuditEvent
from tests.agent.conftest import MakeHarness
from tests.engine.test_recovery import DiesAfterActing, ProcessDied
from tests.llm.fake_openai import FakeOpenAI, json_reply, server_error, tool_call

BRIEF = "Refund request on order 1042"

PACKAGE: dict[str, Any] = {
    "summary": "The order arrived broken; the customer has a clean history.",
    "findings": [
        {"text": "Order 1042 was delivered and paid 640 USD.", "evidence": ["R1"]},
        {"text": "The customer reports it arrived broken.", "evidence": ["Reason"]},
        {"text": "The courier lost it twice before.", "evidence": ["R7"]},
    ],
    "recommendation": "full_refund",
    "confidence": 0.8,
    "draft": "We are sorry; your refund is on its way.",
}


def _start(harness: Harness) -> tuple[str, Approval]:
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    assert run.status == "waiting_approval", run.reason
    (approval,) = harness.pending(run.id)
    return run.id, approval


def _events(harness: Harness, run_id: str, action: str | None = None) -> list[AuditEvent]:
    with harness.database.session() as session:
        events = audit.events_for_run(session, run_id)
    return [event for event in events if action is None or event.action == action]


def _fields(approval: Approval) -> dict[str, str]:
    return dict(approval_card(approval).fields)


def test_a_prepared_refund_package_reaches_the_card_and_the_decision(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    fake_openai.on(BRIEF, tool_call("crm_get_order", order_id="1042"), json_reply(PACKAGE))
    harness = make_harness(models)
    run_id, approval = _start(harness)

    fields = _fields(approval)
    assert fields["Prepared by"] == "a model, reading R1 crm.get_order(order_id='1042')"
    assert fields["Assessment"] == PACKAGE["summary"]
    assert fields["Finding 1"] == (
        "Order 1042 was delivered and paid 640 USD. (evidence: R1 crm.get_order(order_id='1042'))"
    )
    assert fields["Finding 2"].endswith("(evidence: fact Reason: arrived broken)")
    assert fields["Finding 3"].endswith("(evidence: no evidence given)")  # R7 was never read
    assert fields["Recommends"] == "full_refund (confidence 80%)"
    assert fields["Draft"] == PACKAGE["draft"]
    (action,) = approval.package["actions"]
    assert action["arguments"] == {"order_id": "1042", "amount": 640.0, "reason": "arrived broken"}
    # the decision covers the package: it is part of what the hash pins
    assert approval.package["prepared"]["recommendation"] == "full_refund"
    assert approval.package_hash == package_hash(approval.package)

    # the model's read went through the boundary and is on record like any read
    with harness.database.session() as session:
        records = journal.steps_for_run(session, run_id)
    assert [(r.step_id, r.operation, r.status) for r in records if r.step_id == "gather"] == [
        ("gather", "crm.get_order", "succeeded")
    ]
    (prepared,) = _events(harness, run_id, "agent.prepare")
    assert prepared.outcome == "prepared"
    assert [event.outcome for event in _events(harness, run_id, "llm.prepare")] == [
        "tool_calls",
        "answered",
    ]

    harness.decide(approval.id, "U03SAM", "approve")
    run = harness.run(run_id)
    assert run.status == "completed"
    assert run.state["meta"]["result"] == {"recommended": "full_refund"}
    (refund,) = harness.tool_calls("crm.refund")
    assert refund.arguments["amount"] == 640.0
    assert len(fake_openai.requests) == 2  # asked once, not again after the decision


def test_without_a_model_the_package_is_the_declared_facts_and_a_person_weighs_them(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness()  # no model configured
    run_id, approval = _start(harness)
    fields = _fields(approval)
    assert fields["Prepared from"] == "the SOP's facts only (no model is configured)"
    assert fields["Assessment"] == BRIEF
    assert fields["Finding 1"] == "Order: 1042 (evidence: fact Order: 1042)"
    assert fields["Recommends"] == "nothing: a person weighs the facts"
    assert "Draft" not in fields
    (prepared,) = _events(harness, run_id, "agent.prepare")
    assert (prepared.outcome, prepared.reason) == ("offline", "no model is configured")
    harness.decide(approval.id, "U03SAM", "approve")
    assert harness.run(run_id).status == "completed"


def test_a_model_that_keeps_failing_leaves_the_facts_and_the_run_goes_on(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models, pauses: list[float]
) -> None:
    fake_openai.on(BRIEF, server_error())
    harness = make_harness(models)
    run_id, approval = _start(harness)
    fields = _fields(approval)
    assert fields["Prepared from"].startswith("the SOP's facts only (the model gave no usable")
    assert fields["Recommends"] == "nothing: a person weighs the facts"
    assert len(pauses) == 2  # the configured retries, then the offline path
    assert [event.outcome for event in _events(harness, run_id, "llm.prepare")] == ["unavailable"]


def test_a_recommendation_outside_the_options_is_never_taken(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    """The answer's schema enumerates the options: an answer outside them gets its repair
    try, and a second one leaves the facts."""
    fake_openai.on(
        BRIEF, json_reply(PACKAGE | {"recommendation": "refund_5000_usd"}), anywhere=True
    )
    harness = make_harness(models)
    run_id, approval = _start(harness)
    assert approval.package["prepared"]["recommendation"] is None
    assert approval.package["prepared"]["source"] == "facts"
    assert [event.outcome for event in _events(harness, run_id, "llm.prepare")] == [
        "invalid",
        "invalid",
    ]


def test_a_draft_with_a_forbidden_phrase_is_withheld(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    draft = "Your refund is GUARANTEED by tomorrow."
    fake_openai.on(BRIEF, json_reply(PACKAGE | {"draft": draft}))
    harness = make_harness(models)
    _run_id, approval = _start(harness)
    fields = _fields(approval)
    assert "Draft" not in fields
    assert (
        fields["Note"]
        == "the draft was withheld: the text contains the forbidden phrase 'guaranteed'"
    )


def test_a_replay_reuses_the_committed_package_and_never_asks_the_model_twice(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    """The package is committed before the run moves on: a process that dies after the
    model answered resumes at the step with the same package."""
    fake_openai.on(BRIEF, json_reply(PACKAGE))
    harness = make_harness(models)
    dying = DiesAfterActing(harness.tools, "crm.get_order")  # the look_up after the package
    harness.engine.runtime.connectors = dict.fromkeys(harness.tools.namespaces, dying)  # type: ignore[arg-type]
    with pytest.raises(ProcessDied):
        harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    harness.engine.runtime.connectors = dict.fromkeys(harness.tools.namespaces, harness.tools)
    harness.engine.runtime.worker_id = "restarted"
    harness.advance(dt.timedelta(seconds=61))  # the dead worker's lease runs out
    (run,) = views.history(harness.database)
    (approval,) = harness.pending(run.id)
    assert approval.package["prepared"]["recommendation"] == "full_refund"
    assert len(fake_openai.requests) == 1
    assert len(_events(harness, run.id, "agent.prepare")) == 1
