"""Words to the bot in Slack arrive in Slack's own encoding: ``&``, ``<`` and ``>`` as
entities, an e-mail address or a link as ``<mailto:…|…>``, people and groups as mention
markup. The request is read as the person wrote it, and what the bot says back about it
pings nobody the person named."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from tests.slack.conftest import MakeSurface
from tests.slack.conftest import client as client
from tests.slack.conftest import directory as directory
from tests.slack.conftest import make_chat as make_chat
from tests.slack.conftest import make_surface as make_surface
from tests.slack.conftest import slack as slack
from tests.slack.conftest import surface as surface
from tests.slack.conftest import ticks as ticks
from tests.slack.conftest import web_api_server as web_api_server
from tests.slack.fake_web_api import BOT_USER, TEAM
from tests.slack.signed import Answer
from tests.slack.surface import Surface

_stamps = itertools.count(1)
FREIGHT = Path(__file__).parents[2] / "sops" / "freight-claim.yml"

INVITE = """\
id: partner-invite
title: Invite a partner to the portal
owner: U01MARIA
version: 1
review:
  every: 180d
  last_reviewed: 2026-11-01
trigger:
  command: invite
  intents: ["invite a partner to the portal"]
inputs:
  contact:
    type: email
    required: true
permissions:
  allow: [slack.post]
steps:
  - id: tell
    action: slack.post
    with: {channel: "#support", text: "Invite {{ inputs.contact }}"}
    on_failure: skip
"""


def _say(surface: Surface, text: str, *, user: str = "U02DEV", **more: Any) -> tuple[Answer, str]:
    """``user`` writes ``text`` (Slack's encoding, after the bot's mention) in #support."""
    ts = f"1700001500.{next(_stamps):06d}"
    said = f"<@{BOT_USER}> {text}"
    message = {"type": "message", "user": user, "text": said, "ts": ts}
    surface.slack.messages.setdefault("C02SUPPORT", []).append(message)
    event = {
        "type": "app_mention",
        "user": user,
        "text": said,
        "ts": ts,
        "channel": "C02SUPPORT",
        "event_ts": ts,
        "team": TEAM,
        **more,
    }
    return surface.sender.event(event, event_id=f"Ev{ts}"), ts


def _replies(surface: Surface, ts: str) -> list[dict[str, Any]]:
    return [m for m in surface.slack.posted("C02SUPPORT") if m.get("thread_ts") == ts]


def test_an_ampersand_and_angle_brackets_reach_the_run_as_typed(surface: Surface) -> None:
    _say(
        surface,
        "my order 1042 arrived broken, I want my money back. "
        "reason: box &amp; tape torn, &lt;3 days old&gt;",
    )
    surface.work()
    (run,) = surface.runs()
    assert run.inputs["reason"] == "box & tape torn, <3 days old>"


def test_an_email_address_slack_made_a_link_is_read_as_the_address(
    make_surface: MakeSurface,
) -> None:
    surface = make_surface(INVITE)
    _say(
        surface, "invite a partner to the portal: <mailto:ana@partner.example|ana@partner.example>"
    )
    surface.work()
    (run,) = surface.runs()
    assert run.inputs["contact"] == "ana@partner.example"


def test_the_answer_about_a_request_pings_nobody_it_named(surface: Surface) -> None:
    _, ts = _say(surface, "<!subteam^S01FINANCE|@finance> <@U03SAM> where is the wifi password")
    surface.work()
    (reply,) = _replies(surface, ts)
    said = str(reply)  # the text and its blocks
    assert "<!subteam^S01FINANCE" not in said
    assert "<@U03SAM" not in said
    assert "'@S01FINANCE @U03SAM where is the wifi password'" in reply["text"]


def test_a_double_click_on_start_starts_one_run(make_surface: MakeSurface) -> None:
    surface = make_surface(FREIGHT.read_text())
    _, ts = _say(
        surface,
        "the shipment arrived broken and the customer wants their money back, "
        "order 1042, reason: arrived broken",
    )
    surface.work()
    (card,) = _replies(surface, ts)
    (start,) = [
        element
        for block in card["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["value"].startswith("refund ")
    ]
    for _ in range(2):
        clicked = surface.sender.click(
            card, start["action_id"], user="U02DEV", channel="C02SUPPORT"
        )
        assert clicked.status == 200
    surface.work()
    assert [run.started_by for run in surface.runs()] == ["U02DEV"]
    surface.sender.click(card, start["action_id"], user="U03SAM", channel="C02SUPPORT")
    surface.work()
    assert sorted(run.started_by for run in surface.runs()) == ["U02DEV", "U03SAM"]


def test_a_direct_message_with_a_photo_attached_is_a_request(surface: Surface) -> None:
    """Slack marks a message that carries a file ``file_share``: still the person's words."""
    message = {
        "type": "message",
        "subtype": "file_share",
        "channel_type": "im",
        "channel": "D02DEV",
        "user": "U02DEV",
        "text": "my order 1042 arrived broken, I want my money back. reason: see photo",
        "files": [{"id": "F0PHOTO", "name": "box.jpg"}],
        "ts": "1700001600.000100",
        "team": TEAM,
    }
    assert surface.sender.event(message, event_id="Ev0PHOTO").status == 200
    surface.work()
    (run,) = surface.runs()
    assert (run.started_by, run.inputs["order_id"]) == ("U02DEV", "1042")
