"""A person picks one of N: the card says what each option will do, the pick moves the run
to that option's step, a timeout takes the default (or escalates), and only the assignee
may pick."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import views
from bot.chat.messages import Card
from bot.engine.errors import DecisionRefused
from bot.harness import Harness
from storage.models import Approval, Run
from tests.engine.conftest import MakeHarness

REVIEW = """\
    id: review
    title: Review an order
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: review}
    inputs:
      order_id: {type: string}
    permissions:
      allow: [crm.refund]
    escalation:
      to: [U04LEE]
    steps:
      - id: look_up
        action: crm.get_order
        with: {order_id: "{{ inputs.order_id }}"}
        save_as: order
        on_failure: escalate
      - id: pick
        choose:
          assignee: U02DEV
          question: "What do we do with order {{ order.id }}?"
          options:
            - {label: Refund it, goto: pay}
            - {label: Keep it, goto: keep}
          default: Keep it
          timeout: 2d
      - id: pay
        action: crm.refund
        with: {order_id: "{{ order.id }}", amount: "{{ order.total }}", reason: chosen}
        on_failure: escalate
      - id: refunded
        end: completed
        result: {decision: refund}
      - id: keep
        end: completed
        result: {decision: keep}
"""


def _waiting(make_harness: MakeHarness, text: str = REVIEW) -> tuple[Harness, Run, Approval]:
    harness = make_harness(text)
    run = harness.start("review", {"order_id": "1042"})
    assert run.status == "waiting_human"
    (choice,) = harness.pending(run.id)
    assert choice.kind == "choice"
    return harness, run, choice


def _card(harness: Harness) -> Card:
    return next(m.card for m in harness.chat.posted if m.card and m.card.buttons)


def _result(harness: Harness, run: Run) -> dict[str, object]:
    return views.run_detail(harness.database, run.id).result


def _picked(harness: Harness, choice: Approval, user: str, option: int | str) -> None:
    harness.engine.decisions.choose(choice.id, user, option)
    harness.engine.run_due()


def test_the_card_shows_what_each_option_will_run_with_one_button_each(
    make_harness: MakeHarness,
) -> None:
    harness, _, choice = _waiting(make_harness)
    card = _card(harness)
    assert card.summary == "What do we do with order 1042?"
    assert (
        "1. Refund it",
        "Will run crm.refund(order_id='1042', amount=640.0, reason='chosen')",
    ) in card.fields
    assert ("2. Keep it", "Goes on at step keep (no tool call first)") in card.fields
    assert ("If nobody picks", "“Keep it” is taken") in card.fields
    assert [(b.label, b.action, b.value) for b in card.buttons] == [
        ("Refund it", "choose", f"{choice.id}:0"),
        ("Keep it", "choose", f"{choice.id}:1"),
    ]


def test_picking_the_first_option_runs_its_step_and_is_audited_with_its_label(
    make_harness: MakeHarness,
) -> None:
    harness, run, choice = _waiting(make_harness)
    _picked(harness, choice, "U02DEV", 0)
    finished = harness.run(run.id)
    assert finished.status == "completed"
    assert _result(harness, run) == {"decision": "refund"}
    (refund,) = harness.tool_calls("crm.refund")
    assert refund.arguments["amount"] == 640.0
    trail = views.audit_trail(harness.database, run.id)
    (chosen,) = [entry for entry in trail if entry.action == "task.choose"]
    assert (chosen.actor, chosen.outcome) == ("U02DEV", "chosen")
    assert chosen.detail == {"choice": choice.id, "option": 0, "label": "Refund it"}
    decided = next(m.card for _, m in reversed(harness.chat.updates) if m.card is not None)
    assert decided.buttons == ()
    assert (decided.footer or "").startswith("Chosen by <@U02DEV>")
    assert (decided.footer or "").endswith(": Refund it")


def test_picking_the_second_option_by_its_label_goes_to_its_step(
    make_harness: MakeHarness,
) -> None:
    harness, run, choice = _waiting(make_harness)
    _picked(harness, choice, "U02DEV", "keep IT")
    finished = harness.run(run.id)
    assert finished.status == "completed"
    assert _result(harness, run) == {"decision": "keep"}
    assert harness.tool_calls("crm.refund") == []
    with pytest.raises(DecisionRefused, match=r"was chosen by <@U02DEV>"):
        harness.engine.decisions.choose(choice.id, "U02DEV", 0)


def test_a_pick_that_names_no_option_is_refused_with_the_options(
    make_harness: MakeHarness,
) -> None:
    harness, run, choice = _waiting(make_harness)
    with pytest.raises(DecisionRefused, match=r"no option number 3; pick one of: 1\. Refund it"):
        harness.engine.decisions.choose(choice.id, "U02DEV", 2)
    with pytest.raises(DecisionRefused, match=r"no option 'Close it'"):
        harness.engine.decisions.choose(choice.id, "U02DEV", "Close it")
    assert harness.run(run.id).status == "waiting_human"


def test_only_the_assignee_picks_and_a_refusal_is_audited(make_harness: MakeHarness) -> None:
    harness, run, choice = _waiting(make_harness)
    with pytest.raises(DecisionRefused, match="only <@U02DEV> may decide"):
        harness.engine.decisions.choose(choice.id, "U03SAM", 0)
    assert harness.run(run.id).status == "waiting_human"
    assert harness.tool_calls("crm.refund") == []
    trail = views.audit_trail(harness.database, run.id)
    refused = [e for e in trail if (e.action, e.outcome) == ("task.choose", "refused")]
    assert [e.actor for e in refused] == ["U03SAM"]


def test_nobody_picking_in_time_takes_the_default(make_harness: MakeHarness) -> None:
    harness, run, choice = _waiting(make_harness)
    harness.advance(dt.timedelta(days=2) - dt.timedelta(minutes=1))
    assert harness.run(run.id).status == "waiting_human"
    harness.advance(dt.timedelta(minutes=1))
    finished = harness.run(run.id)
    assert finished.status == "completed"
    assert _result(harness, run) == {"decision": "keep"}
    assert harness.tool_calls("crm.refund") == []
    trail = views.audit_trail(harness.database, run.id)
    (timeout,) = [entry for entry in trail if entry.action == "choice.timeout"]
    assert timeout.detail == {"approval": choice.id, "default": "Keep it"}
    decided = next(m.card for _, m in reversed(harness.chat.updates) if m.card is not None)
    assert "took the default, “Keep it”" in (decided.footer or "")


def test_nobody_picking_in_time_without_a_default_escalates(make_harness: MakeHarness) -> None:
    harness, run, choice = _waiting(
        make_harness, REVIEW.replace("          default: Keep it\n", "")
    )
    harness.advance(dt.timedelta(days=2))
    finished = harness.run(run.id)
    assert finished.status == "escalated"
    assert f"nobody decided {choice.id} in time" in (finished.reason or "")
    assert harness.chat.to("U04LEE"), "the default escalation target gets the handoff"
