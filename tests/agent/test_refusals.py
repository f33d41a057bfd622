"""A model that asks for what the SOP does not offer and then gives no usable package: the
run goes on with the facts, and the refused attempt is still on the record."""

from __future__ import annotations

from bot.llm.models import Models
from storage import audit
from tests.agent.conftest import REFUND, SECRET, MakeHarness
from tests.agent.test_prepare import PACKAGE
from tests.llm.fake_openai import FakeOpenAI, json_reply, malformed, tool_call, tool_calls

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


def test_a_flood_of_refused_calls_leaves_ten_rows_and_one_summary(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    """500 calls in one turn: 20 to tools that do not exist (all different), then 480 past
    the call limit. The timeline keeps the first ten distinct attempts and one row that
    counts the rest by tool, instead of 500 rows."""
    invented = [(f"crm_invented_{n}", {"order_id": "1042"}) for n in range(20)]
    flood = invented + [("crm_get_order", {"order_id": "1042"})] * 480
    fake_openai.on(BRIEF, tool_calls(*flood), json_reply(PACKAGE))
    harness = make_harness(models, REFUND.replace("max_calls: 4", "max_calls: 20"))
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})

    assert run.status == "waiting_approval", run.reason
    assert harness.pending(run.id)[0].package["prepared"]["source"] == "model"
    with harness.database.session() as session:
        refused = [e for e in audit.events_for_run(session, run.id) if e.action == "agent.refused"]
    *each, summary = refused
    assert [event.detail["tool"] for event in each] == [name for name, _ in invented[:10]]
    assert summary.outcome == "refused"
    assert summary.detail["more"] == 490
    assert summary.detail["tools"]["crm_get_order"] == 480
    assert sum(summary.detail["tools"].values()) == 490
    assert "490 more" in (summary.reason or "")
    assert "crm_get_order" in (summary.reason or "")


def test_a_refused_tool_name_of_any_length_is_recorded_cut(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    """A model invents names as long as it likes; the timeline keeps a readable start."""
    fake_openai.on(BRIEF, tool_call("crm_" + "x" * 200_000, order_id="1042"), json_reply(PACKAGE))
    harness = make_harness(models)
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    with harness.database.session() as session:
        (refused,) = [
            e for e in audit.events_for_run(session, run.id) if e.action == "agent.refused"
        ]
    assert refused.detail["tool"].startswith("crm_xxx")
    assert len(refused.detail["tool"]) <= 80
    assert len(refused.reason or "") <= 300


def test_a_secret_straddling_the_cut_of_a_refused_name_is_masked_not_split(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    """Masked first, then cut: a secret cut at the edge would escape its mask."""
    name = "crm_" + "x" * (80 - 4 - len(SECRET) // 2) + SECRET
    fake_openai.on(BRIEF, tool_call(name, order_id="1042"), json_reply(PACKAGE))
    harness = make_harness(models)
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    with harness.database.session() as session:
        (refused,) = [
            e for e in audit.events_for_run(session, run.id) if e.action == "agent.refused"
        ]
    assert SECRET[: len(SECRET) // 2] not in refused.detail["tool"]
