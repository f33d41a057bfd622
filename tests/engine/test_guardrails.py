"""Limits live in code: whatever the template or the inputs produce, a call that breaks a
rule never reaches the tool, in any mode."""

from __future__ import annotations

import pytest

from tests.engine.conftest import MakeHarness, refund_sop


@pytest.mark.parametrize("mode", ["autonomous", "shadow"])
def test_an_amount_over_the_limit_is_stopped_and_escalated(
    make_harness: MakeHarness, mode: str
) -> None:
    harness = make_harness(refund_sop(**{"when: order.total > 500": "when: false"}))
    run = harness.start(
        "refund", {"order_id": "1045", "reason": "damaged"}, mode=mode
    )  # total 2450 > 1000
    assert run.status == "escalated"
    assert "crm.refund.amount is 2450, above the limit of 1000" in (run.reason or "")
    assert harness.tool_calls() == []


def test_an_action_not_on_the_permitted_list_is_stopped(make_harness: MakeHarness) -> None:
    harness = make_harness(refund_sop(**{"allow: [crm.refund, email.send]": "allow: [crm.refund]"}))
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"})
    assert run.status == "escalated"
    assert "email.send is not on the permitted list" in (run.reason or "")
    assert [call.operation for call in harness.tool_calls()] == ["crm.refund"]


def test_a_never_allowed_action_is_stopped_even_if_allowed(make_harness: MakeHarness) -> None:
    harness = make_harness(refund_sop(**{"limits:": "never: [crm.refund]\n      limits:"}))
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"})
    assert run.status == "escalated"
    assert "crm.refund is never allowed" in (run.reason or "")
    assert harness.tool_calls() == []


@pytest.mark.parametrize(
    "reason",
    ["this is GUARANTEED", "guar\u200banteed", "g-u-a-r-a-n-t-e-e-d", "*guaran*teed"],
    ids=["case", "zero-width", "punctuation", "markup"],
)
def test_a_forbidden_phrase_built_from_pieces_is_caught(
    make_harness: MakeHarness, reason: str
) -> None:
    harness = make_harness(
        refund_sop(**{'body: "We refunded': 'body: "{{ inputs.reason }}. We refunded'})
    )
    run = harness.start("refund", {"order_id": "1043", "reason": reason})
    assert run.status == "escalated"
    assert "forbidden phrase 'guaranteed'" in (run.reason or "")
    assert [call.operation for call in harness.tool_calls()] == ["crm.refund"]


def test_a_message_without_the_required_disclosure_is_not_sent(make_harness: MakeHarness) -> None:
    harness = make_harness(refund_sop(**{' Refunds take 5 to 10 business days."': '"'}))
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"})
    assert run.status == "escalated"
    assert "lacks the required disclosure" in (run.reason or "")
    assert harness.tool_calls("email.send") == []
