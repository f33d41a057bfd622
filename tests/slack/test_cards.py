"""Block Kit of the engine's cards: the approval card of a real refund run, exactly as Slack
receives it, and cards too long for Slack cut cleanly."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from bot.adapters.slack.blocks import CUT_NOTE, MESSAGE_BLOCKS, render
from bot.chat.messages import Button, Card, Message
from bot.harness import Harness
from bot.procedure.loader import load_text
from storage.database import Database
from storage.models import Approval
from tests.engine.conftest import REFUND


@pytest.fixture
def waiting(database: Database) -> Iterator[tuple[Harness, Approval]]:
    """A refund run waiting for finance's approval."""
    loaded = load_text(textwrap.dedent(REFUND), "sops/refund.yml")
    harness = Harness.open(database, [loaded])
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    (approval,) = harness.pending(run.id)
    yield harness, approval
    harness.close()


def _card_message(harness: Harness) -> Message:
    return next(m for m in harness.chat.posted if m.card is not None and m.kind == "card")


def test_the_approval_card_of_a_real_run_is_this_block_kit(
    waiting: tuple[Harness, Approval],
) -> None:
    harness, approval = waiting
    rendered = render(_card_message(harness))
    assert rendered.overflow is None
    assert rendered.blocks == [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": f"Approval · refund · run {approval.run_id}",
                "emoji": True,
            },
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": "Refund 640.0 on 1042"}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Reason*\narrived broken"},
                {
                    "type": "mrkdwn",
                    "text": "*Will run*\ncrm.refund(order_id='1042', amount=640.0, reason='arrived broken')",
                },
                {"type": "mrkdwn", "text": "*Who decides*\n<!subteam^S01FINANCE>"},
                {
                    "type": "mrkdwn",
                    "text": "*Decide by*\n" + approval.due_at.strftime("%Y-%m-%d %H:%M UTC"),
                },
            ],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Approve", "emoji": True},
                    "action_id": "approve",
                    "value": approval.id,
                    "style": "primary",
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Reject", "emoji": True},
                    "action_id": "reject",
                    "value": approval.id,
                    "style": "danger",
                },
            ],
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"{approval.id} · refund v1 · package {approval.package_hash[:12]}",
                }
            ],
        },
    ]


def test_a_decided_card_shows_who_decided_and_has_no_buttons(
    waiting: tuple[Harness, Approval],
) -> None:
    harness, approval = waiting
    harness.decide(approval.id, "U03SAM", "approve")
    replaced = next(m for _, m in reversed(harness.chat.updates) if m.card is not None)
    blocks = render(replaced).blocks
    assert [block["type"] for block in blocks] == ["header", "section", "section", "context"]
    assert "Approved by <@U03SAM>" in blocks[-1]["elements"][0]["text"]


def test_a_card_too_big_for_slack_is_cut_with_everything_in_the_overflow() -> None:
    card = Card(
        title="T" * 200,
        summary="word " * 1000,
        fields=tuple((f"fact {n}", "v" * 2500) for n in range(600)),
        buttons=(Button("A" * 100, "approve", "a-1", "primary"),),
        footer="a-1 · package 0123456789ab",
    )
    rendered = render(Message(to="C02SUPPORT", text="please decide", card=card))
    blocks = rendered.blocks
    assert len(blocks) == MESSAGE_BLOCKS
    assert len(blocks[0]["text"]["text"]) <= 150
    assert len(blocks[1]["text"]["text"]) <= 3000
    assert blocks[1]["text"]["text"].endswith("…")
    assert all(len(f["text"]) <= 2000 for b in blocks if "fields" in b for f in b["fields"])
    assert blocks[-3]["elements"][0]["text"]["text"] == "A" * 74 + "…"
    assert blocks[-1]["elements"][0]["text"] == CUT_NOTE
    assert rendered.overflow is not None
    assert "fact 599: " + "v" * 2500 in rendered.overflow
    assert "word " * 999 in rendered.overflow


def test_text_is_escaped_for_slack_but_mentions_stay_mentions() -> None:
    rendered = render(Message(to="C03OPS", text="<@U03SAM|sam> & <b>ops</b> <!subteam^S01FINANCE>"))
    assert rendered.blocks[0]["text"]["text"] == (
        "<@U03SAM> &amp; &lt;b&gt;ops&lt;/b&gt; <!subteam^S01FINANCE>"
    )
