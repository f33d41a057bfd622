"""A model that asks for what the SOP does not offer and then gives no usable package: the
run goes on with the facts, and the refused attempt is still on the record."""

from __future__ import annotations

from bot.llm.models import Models
from storage import audit
from tests.agent.conftest import MakeHarness
from tests.llm.fake_openai import FakeOpenAI, malformed, tool_call

BRIEF = "Refund request on order 1042"


def test_a_refused_call_is_audited_when_the_model_then_breaks_its_answer(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    fake_openai.on(
        BRIEF,
        tool_call("crm_refund_everything", order_id="1042", amount=5000),
        malformed(),  # and once more after the repair request
        anywhere=True,
    )
    harness = make_harness(models)
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})

    assert run.status == "waiting_approval", run.reason  # offline: the facts, then finance
    (approval,) = harness.pending(run.id)
    assert approval.package["prepared"]["source"] == "facts"
    with harness.database.session() as session:
        events = audit.events_for_run(session, run.id)
    (prepared,) = [event for event in events if event.action == "agent.prepare"]
    assert prepared.outcome == "offline"
    assert "even after a repair try" in (prepared.reason or "")
    refused = [
        (event.detail["tool"], event.reason) for event in events if event.action == "agent.refused"
    ]
    assert refused == [("crm_refund_everything", "there is no tool named 'crm_refund_everything'")]
    assert harness.tool_calls() == []
    assert len(fake_openai.requests) == 3  # the tool turn, the broken answer, the repair
