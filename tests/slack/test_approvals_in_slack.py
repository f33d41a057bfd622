"""From ``/sop run`` to a finished run, through the real Bolt app over signed HTTP: the
card at the fake Slack, clicks by the right and the wrong people, replays and races."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from handlers.slack.views import NO_REASON
from tests.slack.signed import text_input
from tests.slack.surface import Surface

SUPPORT = "C02SUPPORT"


def test_a_refund_from_the_slash_command_to_the_finished_run(surface: Surface) -> None:
    answer = surface.sender.command("run refund order_id=1042 reason=damaged", user="U02DEV")
    assert answer.status == 200
    assert answer.json()["response_type"] == "ephemeral"
    assert answer.text.startswith("On it: starting refund")
    assert surface.runs() == []  # acked once recorded; the worker does the work

    surface.work()
    (run,) = surface.runs()
    assert run.status == "waiting_approval"
    assert any(
        f"Started Refund a customer order as run {run.id}" in text
        for text in surface.whispers("U02DEV")
    )
    (card,) = surface.cards(SUPPORT, "approve")
    assert card["thread_ts"] == surface.run(run.id).thread["root"]["id"]

    clicked = surface.sender.click(card, "approve", user="U03SAM", channel=SUPPORT)
    assert clicked.status == 200
    surface.work()

    updated = surface.slack.calls_to("chat.update")
    assert any(call.args["ts"] == card["ts"] for call in updated)
    (shown,) = [m for m in surface.slack.posted(SUPPORT) if m["ts"] == card["ts"]]
    assert "Approved" in shown["text"] or "approved" in str(shown["blocks"]).lower()
    assert len(surface.tool_calls("crm.refund")) == 1
    assert "Approved" in surface.whispers("U03SAM")[-1]

    # assist mode: each later write waits for a one-click confirmation by Maria or Dev
    for _ in range(3):
        if surface.run(run.id).status == "completed":
            break
        confirm = surface.cards(SUPPORT, "approve")[-1]
        surface.sender.click(confirm, "approve", user="U01MARIA", channel=SUPPORT)
        surface.work()
    assert surface.run(run.id).status == "completed"
    assert len(surface.tool_calls("email.send")) == 1
    root = surface.run(run.id).thread["root"]
    (top,) = [m for m in surface.slack.posted(SUPPORT) if m["ts"] == root["id"]]
    assert "completed" in top["text"].lower()


def _awaiting_finance(surface: Surface) -> tuple[str, dict[str, Any]]:
    """Dev's refund of order 1042, waiting for finance: its run id and its card."""
    surface.sender.command("run refund order_id=1042 reason=damaged", user="U02DEV")
    surface.work()
    (run,) = surface.runs()
    (card,) = surface.cards(SUPPORT, "approve")
    return run.id, card


def test_reject_asks_for_the_reason_in_a_form_and_records_it_with_the_rejection(
    surface: Surface,
) -> None:
    _, card = _awaiting_finance(surface)

    assert surface.sender.click(card, "reject", user="U03SAM", channel=SUPPORT).status == 200
    surface.slack.wait_for("views.open")
    form = surface.slack.views[-1]["view"]
    assert form["callback_id"] == "sopbot_reason"

    empty = surface.sender.submit(form, {"reason": text_input("  ")}, user="U03SAM")
    assert empty.json() == {"response_action": "errors", "errors": {"reason": NO_REASON}}
    assert surface.recorded() == 1  # the command only

    sent = surface.sender.submit(form, {"reason": text_input("order was a gift")}, user="U03SAM")
    assert (sent.status, sent.body) == (200, "")
    surface.work()
    assert surface.whispers("U03SAM")[-1].startswith("Rejected")
    (vote,) = surface.audit("approval.vote")
    assert (vote.actor, vote.outcome, vote.reason) == ("U03SAM", "reject", "order was a gift")
    assert surface.tool_calls("crm.refund") == []
    (shown,) = [m for m in surface.slack.posted(SUPPORT) if m["ts"] == card["ts"]]
    assert "Rejected by <@U03SAM>" in shown["text"]
    assert "order was a gift" in str(shown["blocks"])


def test_someone_who_may_not_decide_is_told_why_and_the_refusal_is_audited(
    surface: Surface,
) -> None:
    run_id, card = _awaiting_finance(surface)

    for action in ("approve", "reject"):
        assert surface.sender.click(card, action, user="U02DEV", channel=SUPPORT).status == 200
        surface.work()

    refusals = surface.whispers("U02DEV")[-2:]
    assert all("finance" in text.lower() or "may not" in text.lower() for text in refusals)
    assert surface.slack.calls_to("views.open") == []  # no reason form for a refused reject
    refused = [(e.actor, e.outcome) for e in surface.audit("approval.vote")]
    assert refused == [("U02DEV", "refused")] * 2
    assert surface.run(run_id).status == "waiting_approval"
    assert surface.tool_calls("crm.refund") == []


def test_two_approvers_clicking_at_once_make_one_decision(surface: Surface) -> None:
    surface.slack.groups["S01FINANCE"]["users"].append("U01MARIA")
    run_id, card = _awaiting_finance(surface)

    forms = [
        surface.sender.click_form(card, "approve", user=user, channel=SUPPORT)
        for user in ("U03SAM", "U01MARIA")
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(surface.sender.send, forms))
    assert [answer.status for answer in answers] == [200, 200]
    surface.work()

    replies = surface.whispers("U03SAM")[-1:] + surface.whispers("U01MARIA")[-1:]
    assert sum(text.startswith("Approved") for text in replies) == 1
    assert sum("was approved by" in text for text in replies) == 1
    assert len(surface.tool_calls("crm.refund")) == 1
    assert surface.run(run_id).status != "rejected"


def test_a_click_on_a_decided_or_expired_card_changes_nothing(surface: Surface) -> None:
    _, card = _awaiting_finance(surface)
    surface.sender.click(card, "approve", user="U03SAM", channel=SUPPORT)
    surface.work()

    surface.sender.click(card, "approve", user="U03SAM", channel=SUPPORT)
    surface.work()
    assert "was approved by <@U03SAM>" in surface.whispers("U03SAM")[-1]
    assert len(surface.tool_calls("crm.refund")) == 1

    surface.sender.command("run refund order_id=1042 reason=again", user="U02DEV")
    surface.work()
    late = surface.cards(SUPPORT, "approve")[-1]
    surface.clock.advance(dt.timedelta(days=2))
    surface.work()  # the day is over: the approval timed out and the run escalated
    surface.sender.click(late, "approve", user="U03SAM", channel=SUPPORT)
    surface.work()
    assert "timed out" in surface.whispers("U03SAM")[-1]
    assert len(surface.tool_calls("crm.refund")) == 1


def test_a_click_slack_delivers_three_times_is_one_decision(surface: Surface) -> None:
    _, card = _awaiting_finance(surface)
    form = surface.sender.click_form(card, "approve", user="U03SAM", channel=SUPPORT)

    answers = [surface.sender.send(form) for _ in range(3)]
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert surface.recorded() == 2  # the command and one click
    surface.work()
    assert [(e.actor, e.outcome) for e in surface.audit("approval.vote")] == [("U03SAM", "approve")]
    assert len(surface.whispers("U03SAM")) == 1
    assert len(surface.tool_calls("crm.refund")) == 1


def test_a_forged_signature_or_a_stale_timestamp_is_refused_and_nothing_is_recorded(
    surface: Surface,
) -> None:
    form = surface.sender.command_form("run refund order_id=1042 reason=damaged", user="U02DEV")

    forged = surface.sender.send(form, secret="not-the-signing-secret")
    stale = surface.sender.send(form, timestamp=int(time.time()) - 6 * 60)
    assert (forged.status, stale.status) == (401, 401)
    surface.work()
    assert surface.recorded() == 0
    assert surface.runs() == []
