"""Shadow records writes as "would do"; assist asks before every write; autonomous runs."""

from __future__ import annotations

from storage import journal
from tests.engine.conftest import MakeHarness, refund_sop


def test_shadow_mode_reads_for_real_and_changes_nothing_outside(make_harness: MakeHarness) -> None:
    harness = make_harness(
        refund_sop(**{"mode: autonomous": "mode: shadow", "when: order.total > 500": "when: false"})
    )
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"})
    assert run.status == "completed"
    assert harness.tool_calls() == []
    with harness.database.session() as session:
        records = {
            record.step_id: record.status for record in journal.steps_for_run(session, run.id)
        }
    assert records == {"look_up": "succeeded", "pay": "would_do", "tell": "would_do"}


def test_assist_mode_waits_for_a_one_click_confirmation_before_each_write(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(refund_sop(**{"mode: autonomous": "mode: assist"}))
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"}, by="U02DEV")
    assert run.status == "waiting_approval"
    (confirm,) = harness.pending(run.id)
    assert confirm.package["actions"][0]["operation"] == "crm.refund"
    assert harness.tool_calls() == []
    harness.decide(
        confirm.id, "U02DEV", "approve"
    )  # the starter may confirm their own run's writes
    (confirm_email,) = harness.pending(run.id)
    assert confirm_email.package["actions"][0]["operation"] == "email.send"
    assert [call.operation for call in harness.tool_calls()] == ["crm.refund"]
    harness.decide(confirm_email.id, "U01MARIA", "approve")
    assert harness.run(run.id).status == "completed"
    assert [call.operation for call in harness.tool_calls()] == ["crm.refund", "email.send"]


def test_assist_mode_never_asks_to_confirm_a_write_the_guardrails_refuse(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(
        refund_sop(
            **{
                "mode: autonomous": "mode: assist",
                'body: "We refunded': 'body: "Guaranteed! We refunded',
            }
        )
    )
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"}, by="U02DEV")
    (confirm_refund,) = harness.pending(run.id)
    harness.decide(confirm_refund.id, "U02DEV", "approve")
    finished = harness.run(run.id)
    assert finished.status == "escalated"
    assert "forbidden phrase 'guaranteed'" in (finished.reason or "")
    assert harness.pending(run.id) == []
    assert [call.operation for call in harness.tool_calls()] == ["crm.refund"]
