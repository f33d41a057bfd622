"""NaN and infinity are refused at every boundary where a number comes in: they pass every
comparison the wrong way, so ``amount=nan`` would pass ``minimum: 0.01``, skip the approval
over 500 and slip under a limit of 2,000."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import views
from bot.app.commands.service import CommandService
from bot.app.door import FrontDoor
from bot.catalogue.registry import build_catalogue
from bot.engine.errors import InvalidInputs
from bot.harness import Harness
from tests.engine.conftest import MakeHarness, refund_sop

REFUND_REQUEST = (Path(__file__).parents[2] / "sops" / "refund-request.yml").read_text()
NON_FINITE = ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"]


def _nothing_happened(harness: Harness) -> None:
    assert views.history(harness.database) == []
    assert harness.tool_calls() == []


@pytest.mark.parametrize("amount", NON_FINITE)
def test_the_refund_is_refused_at_start_for_a_non_finite_amount(
    make_harness: MakeHarness, amount: str
) -> None:
    harness = make_harness(REFUND_REQUEST)
    with pytest.raises(InvalidInputs, match=f"amount: '{amount}' is not a finite number"):
        harness.start("refund-request", {"order_id": "1043", "reason": "x", "amount": amount})
    _nothing_happened(harness)


def test_the_slash_command_answers_in_words(make_harness: MakeHarness) -> None:
    harness = make_harness(REFUND_REQUEST)
    reply = CommandService(FrontDoor(harness.engine, harness.directory, harness.chat)).handle(
        "/sop run refund order_id=1043 reason=damaged amount=nan", "U02DEV"
    )
    assert not reply.ok
    assert "amount: 'nan' is not a finite number" in reply.text
    _nothing_happened(harness)


PAYOUT = """\
    id: payout
    title: Payout
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger:
      command: payout
      events: [{source: crm, type: payout.requested}]
    inputs:
      amount: {type: number, from: "{{ trigger.amount }}"DEFAULT}
    steps:
      - id: done
        end: completed
        message: "paid {{ inputs.amount }}"
"""


def test_a_json_event_with_a_nan_literal_does_not_start_a_run(make_harness: MakeHarness) -> None:
    harness = make_harness(PAYOUT.replace("DEFAULT", ""))
    payload = json.loads('{"amount": NaN}')  # Python's json reads NaN and Infinity literals
    started = harness.engine.starter.start_from_event("crm", "payout.requested", payload, key="p")
    harness.engine.run_due()
    assert started == []
    _nothing_happened(harness)
    (told,) = harness.chat.to("U01MARIA")
    assert "Payout did not start for crm payout.requested" in told.text
    assert "trigger.amount must be a finite number, not nan" in told.text


def test_a_nan_anywhere_in_an_event_refuses_it(make_harness: MakeHarness) -> None:
    harness = make_harness(PAYOUT.replace("DEFAULT", ""))
    payload = json.loads('{"amount": 12.5, "risk": {"scores": [1, -Infinity]}}')
    started = harness.engine.starter.start_from_event("crm", "payout.requested", payload, key="p")
    harness.engine.run_due()
    assert started == []
    _nothing_happened(harness)
    (told,) = harness.chat.to("U01MARIA")
    assert "trigger.risk.scores[1] must be a finite number, not -inf" in told.text


def test_a_non_finite_default_is_refused_like_a_given_value(make_harness: MakeHarness) -> None:
    harness = make_harness(PAYOUT.replace("DEFAULT", ", default: .inf"))
    with pytest.raises(InvalidInputs, match="amount: 'inf' is not a finite number"):
        harness.start("payout", {})
    _nothing_happened(harness)


QUOTE = """\
    id: quote
    title: Quote
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: quote}
    escalation:
      to: [U04LEE]
    steps:
      - id: ask
        task:
          assignee: U02DEV
          instructions: "Name a price"
          fields:
            price: {type: number}
          due: 2d
          on_timeout: escalate
        save_as: answer
      - id: scale
        set:
          scaled: "{{ answer.price * 1e308 }}"
      - id: done
        end: completed
        message: "scaled {{ scaled }}"
"""


def test_a_task_answer_that_is_not_finite_is_refused(make_harness: MakeHarness) -> None:
    harness = make_harness(QUOTE)
    run = harness.start("quote", {})
    (task,) = harness.pending(run.id)
    with pytest.raises(InvalidInputs, match="price: 'inf' is not a finite number"):
        harness.complete(task.id, "U02DEV", {"price": "inf"})
    assert harness.run(run.id).status == "waiting_human"


def test_a_computed_value_that_overflows_escalates_instead_of_being_saved(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(QUOTE)
    run = harness.start("quote", {})
    (task,) = harness.pending(run.id)
    harness.complete(task.id, "U02DEV", {"price": "10"})
    finished = harness.run(run.id)
    assert finished.status == "escalated"
    assert "cannot compute scaled in scale: scaled must be a finite number, not inf" in (
        finished.reason or ""
    )


def test_a_template_that_overflows_never_reaches_the_tool(make_harness: MakeHarness) -> None:
    harness = make_harness(
        refund_sop(
            **{
                "when: order.total > 500": "when: false",
                'amount: "{{ order.total }}"': 'amount: "{{ order.total * 1e308 }}"',
            }
        )
    )
    run = harness.start("refund", {"order_id": "1043", "reason": "damaged"})
    assert run.status == "escalated"
    assert "crm.refund" in (run.reason or "")
    assert "amount must be a finite number, not inf" in (run.reason or "")
    assert harness.tool_calls() == []


@pytest.mark.parametrize("amount", [float("nan"), float("inf"), float("-inf"), "nan", "-inf"])
def test_tool_arguments_refuse_non_finite_numbers(amount: object) -> None:
    refund = build_catalogue().get("crm.refund")
    assert refund is not None
    with pytest.raises(ValueError, match="finite number"):
        refund.args.model_validate({"order_id": "1043", "amount": amount, "reason": "x"})


def test_free_form_arguments_and_tool_results_refuse_them_too() -> None:
    catalogue = build_catalogue()
    update, order = catalogue.get("crm.update_deal"), catalogue.get("crm.get_order")
    assert update is not None
    assert order is not None
    with pytest.raises(ValueError, match=r"fields\.discounts\[1\] must be a finite number"):
        update.args.model_validate({"deal_id": "D-1", "fields": {"discounts": [5, float("nan")]}})
    answer = {
        "id": "1043",
        "account_id": "A-1",
        "total": float("inf"),
        "currency": "USD",
        "status": "paid",
        "customer_email": "a@example.com",
    }
    with pytest.raises(ValueError, match="total must be a finite number, not inf"):
        order.result.model_validate(answer)
