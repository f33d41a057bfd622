"""From ``/sop run`` to a finished run, through the real Bolt app over signed HTTP: the
card at the fake Slack, clicks by the right and the wrong people, replays and races."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.adapters.slack.directory import SlackDirectory
from storage.database import Database
from tests.slack.conftest import MakeChat
from tests.slack.fake_web_api import FakeSlack
from tests.slack.surface import Surface, serving

SUPPORT = "C02SUPPORT"


@pytest.fixture
def surface(
    database: Database,
    slack: FakeSlack,
    client: WebClient,
    directory: SlackDirectory,
    make_chat: MakeChat,
) -> Iterator[Surface]:
    with serving(database, slack, client, directory, make_chat()) as surface:
        yield surface


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
