"""One decision per approval, only by the people listed, on exactly the package shown."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from bot.app import views
from bot.engine.errors import DecisionRefused
from storage import audit
from tests.engine.conftest import REFUND, MakeHarness, refund_sop
from tests.engine.test_non_finite import QUOTE


def _waiting(make_harness: MakeHarness, text: str = REFUND, order: str = "1042"):  # type: ignore[no-untyped-def]
    harness = make_harness(text)
    run = harness.start("refund", {"order_id": order, "reason": "damaged"})
    assert run.status == "waiting_approval"
    (approval,) = harness.pending(run.id)
    return harness, run, approval


def test_the_card_shows_the_exact_call_and_a_finance_member_approves_it(
    make_harness: MakeHarness,
) -> None:
    harness, run, approval = _waiting(make_harness)
    card = next(
        message.card for message in harness.chat.posted if message.card and message.kind == "card"
    )
    assert card is not None
    assert (
        "Will run",
        "crm.refund(order_id='1042', amount=640.0, reason='damaged')",
    ) in card.fields
    assert [button.action for button in card.buttons] == ["approve", "reject"]
    harness.decide(approval.id, "U03SAM", "approve")
    assert harness.run(run.id).status == "completed"
    (refund,) = harness.tool_calls("crm.refund")
    assert refund.arguments["amount"] == 640.0
    decided_card = next(m.card for _, m in reversed(harness.chat.updates) if m.card is not None)
    assert decided_card.buttons == ()
    assert "Approved by <@U03SAM>" in (decided_card.footer or "")


def test_people_outside_the_list_and_the_starter_cannot_approve(make_harness: MakeHarness) -> None:
    harness, run, approval = _waiting(make_harness)
    with pytest.raises(DecisionRefused, match="only <!subteam\\^S01FINANCE> may decide"):
        harness.decide(approval.id, "U07KAI", "approve")
    finance_starter = harness.start("refund", {"order_id": "1042", "reason": "x"}, by="U03SAM")
    (own,) = harness.pending(finance_starter.id)
    with pytest.raises(DecisionRefused, match="you started this run"):
        harness.decide(own.id, "U03SAM", "approve")
    assert harness.run(run.id).status == "waiting_approval"
    assert harness.tool_calls("crm.refund") == []


@pytest.mark.parametrize(
    ("posing", "why"),
    [
        ("S01FINANCE", "S01FINANCE is not a person"),
        ("C04FINANCE", "C04FINANCE is not a person"),
        ("U99GHOST", "U99GHOST is not a person"),
    ],
)
def test_only_people_decide_never_a_group_channel_or_stranger(
    make_harness: MakeHarness, posing: str, why: str
) -> None:
    text = refund_sop(
        **{"approvers: [role:finance]": "approvers: [role:finance, C04FINANCE, U99GHOST]"}
    )
    harness, run, approval = _waiting(make_harness, text)
    with pytest.raises(DecisionRefused) as refused:
        harness.decide(approval.id, posing, "approve")
    assert why in str(refused.value)
    assert "only people in the directory decide" in str(refused.value)
    assert harness.run(run.id).status == "waiting_approval"
    assert harness.tool_calls("crm.refund") == []
    with harness.database.session() as session:
        (refusal,) = [
            event for event in audit.events_for_run(session, run.id) if event.outcome == "refused"
        ]
    assert (refusal.actor, refusal.action) == (posing, "approval.vote")
    assert refusal.detail["approval"] == approval.id
    assert why in (refusal.reason or "")
    harness.decide(approval.id, "U03SAM", "approve")  # a member of the group still can
    assert harness.run(run.id).status == "completed"


def test_a_rejection_needs_a_reason_and_ends_the_run_rejected(make_harness: MakeHarness) -> None:
    harness, run, approval = _waiting(make_harness)
    with pytest.raises(DecisionRefused, match="needs a reason"):
        harness.decide(approval.id, "U03SAM", "reject", "  ")
    harness.decide(approval.id, "U03SAM", "reject", "customer already got a voucher")
    finished = harness.run(run.id)
    assert finished.status == "rejected"
    assert "customer already got a voucher" in (finished.reason or "")
    with pytest.raises(DecisionRefused, match=f"{approval.id} was rejected by <@U03SAM>"):
        harness.decide(approval.id, "U01MARIA", "approve")
    assert harness.tool_calls("crm.refund") == []


def test_many_people_deciding_at_once_give_exactly_one_decision(make_harness: MakeHarness) -> None:
    harness, run, approval = _waiting(make_harness)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def decide(user: str, decision: str) -> None:
        barrier.wait(timeout=10)
        try:
            harness.engine.decide(approval.id, user, decision, "no")  # type: ignore[arg-type]
            outcomes.append(f"{user}:{decision}")
        except DecisionRefused:
            outcomes.append("refused")

    threads = [
        threading.Thread(target=decide, args=pair)
        for pair in [
            ("U03SAM", "approve"),
            ("U01MARIA", "reject"),
            ("U03SAM", "reject"),
            ("U01MARIA", "approve"),
        ]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    harness.engine.run_due()
    winners = [outcome for outcome in outcomes if outcome != "refused"]
    assert len(outcomes) == 4
    assert len(winners) == 1
    status = harness.run(run.id).status
    assert status == ("completed" if winners[0].endswith("approve") else "rejected")
    assert len(harness.tool_calls("crm.refund")) == (1 if status == "completed" else 0)


def test_two_of_three_approvers_are_needed_when_the_sop_says_so(make_harness: MakeHarness) -> None:
    text = refund_sop(
        **{
            "approvers: [role:finance]": "approvers: [U03SAM, U01MARIA, U05VP]\n          required: 2"
        }
    )
    harness, run, approval = _waiting(make_harness, text)
    result = harness.decide(approval.id, "U03SAM", "approve")
    assert "1 of 2" in result.message
    with pytest.raises(DecisionRefused, match="already decided"):
        harness.decide(approval.id, "U03SAM", "approve")
    assert harness.run(run.id).status == "waiting_approval"
    harness.decide(approval.id, "U05VP", "approve")
    assert harness.run(run.id).status == "completed"


def test_nobody_deciding_in_time_applies_the_timeout_rule(make_harness: MakeHarness) -> None:
    harness, run, approval = _waiting(make_harness)
    harness.advance(dt.timedelta(hours=23, minutes=59))
    assert harness.run(run.id).status == "waiting_approval"
    harness.advance(dt.timedelta(minutes=1))
    finished = harness.run(run.id)
    assert finished.status == "escalated"
    assert f"nobody decided {approval.id} in time" in (finished.reason or "")
    with pytest.raises(DecisionRefused, match=r"timed out .*: nobody decided in time"):
        harness.decide(approval.id, "U03SAM", "approve")
    assert harness.chat.to("U04LEE"), "the default escalation target gets the handoff"


def test_the_approved_package_runs_even_if_the_data_changes_afterwards(
    make_harness: MakeHarness,
) -> None:
    harness, run, approval = _waiting(make_harness)
    assert approval.package["actions"][0]["arguments"]["amount"] == 640.0
    # the order is partly refunded by someone else between approval and execution: the
    # approved call (640) is what runs, and the tool refuses it rather than a new amount
    harness.tools.invoke(
        harness.engine.runtime.catalogue.get("crm.refund"),  # type: ignore[arg-type]
        {"order_id": "1042", "amount": 100.0, "reason": "goodwill"},
    )
    harness.decide(approval.id, "U03SAM", "approve")
    finished = harness.run(run.id)
    assert finished.status == "escalated"
    assert [call.arguments["amount"] for call in harness.tool_calls("crm.refund")] == [100.0]


def test_nobody_is_asked_to_approve_a_call_the_guardrails_would_refuse(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(REFUND)
    run = harness.start("refund", {"order_id": "1045", "reason": "damaged"})  # 2450 > limit 1000
    assert run.status == "escalated"
    assert "would be refused" in (run.reason or "")
    assert "above the limit of 1000" in (run.reason or "")
    assert harness.pending(run.id) == []


def test_a_call_that_changed_since_it_was_approved_does_not_run(make_harness: MakeHarness) -> None:
    text = refund_sop(
        **{'reason: "{{ inputs.reason }}"}': 'reason: "{{ inputs.reason }} ({{ today }})"}'}
    )
    harness, run, approval = _waiting(make_harness, text)
    harness.advance(dt.timedelta(hours=20))  # the approval is given on the next day
    harness.decide(approval.id, "U03SAM", "approve")
    finished = harness.run(run.id)
    assert finished.status == "escalated"
    assert f"changed after {approval.id} approved it" in (finished.reason or "")
    assert harness.tool_calls("crm.refund") == []


def test_secrets_in_an_approved_call_are_masked_on_the_card_and_never_stored(
    make_harness: MakeHarness,
) -> None:
    text = refund_sop(
        **{
            "allow: [crm.refund, email.send]": "allow: [crm.refund, email.send, http.request]",
            "      - id: pay\n": (
                "      - id: notify_shop\n"
                "        action: http.request\n"
                "        with:\n"
                "          method: POST\n"
                "          url: https://shop.example/refunds\n"
                '          headers: {X-Api-Key: "{{ secrets.shop_key }}"}\n'
                '          json: {order: "{{ order.id }}"}\n'
                "        on_failure: {then: escalate}\n"
                "      - id: pay\n"
            ),
            "approve:\n        when: order.total > 500\n        approval:\n": (
                "approve:\n        when: order.total > 500\n        approval:\n          covers: [notify_shop]\n"
            ),
        }
    )
    harness = make_harness(text, secrets={"shop_key": "sk-live-9f8e7d6c5b4a"})
    run = harness.start("refund", {"order_id": "1042", "reason": "damaged"})
    (approval,) = harness.pending(run.id)
    assert "sk-live-9f8e7d6c5b4a" not in str(approval.package)
    card = next(
        message.card for message in harness.chat.posted if message.card and message.kind == "card"
    )
    assert card is not None
    assert "sk-live-9f8e7d6c5b4a" not in str(card.fields)
    harness.decide(approval.id, "U03SAM", "approve")
    assert harness.run(run.id).status == "completed"
    (request,) = harness.tool_calls("http.request")
    assert "sk-live-9f8e7d6c5b4a" not in str(request.arguments), "the tool's log masks it too"


def test_a_task_its_assignee_cannot_do_goes_to_a_person_with_the_reason(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(QUOTE)
    run = harness.start("quote", {})
    (task,) = harness.pending(run.id)
    card = next(m.card for m in harness.chat.posted if m.card and m.card.buttons)
    assert [(b.label, b.action) for b in card.buttons] == [
        ("Done", "complete"),
        ("Can't do", "decline"),
    ]
    with pytest.raises(DecisionRefused, match="say why"):
        harness.engine.decline_task(task.id, "U02DEV", " ")
    with pytest.raises(DecisionRefused):
        harness.engine.decline_task(task.id, "U03SAM", "not mine")

    harness.engine.decline_task(task.id, "U02DEV", "the supplier has no price list yet")
    harness.engine.run_due()

    finished = harness.run(run.id)
    assert finished.status == "escalated"
    assert finished.reason == f"<@U02DEV> can't do {task.id}: the supplier has no price list yet"
    assert any("supplier has no price list" in m.text for m in harness.chat.to("U04LEE"))
    audited = [(e.action, e.outcome) for e in views.audit_trail(harness.database, run.id)]
    assert ("task.decline", "declined") in audited
