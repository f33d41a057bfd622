"""What every listener does with a request that changes something: record it in the durable
inbox under Slack's own unique ids, before acknowledging it. A request that cannot be
recorded (the database is out) is still acknowledged, with an apology: nothing was done,
and the person is told so instead of seeing Slack's "didn't respond" after three seconds."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.app import inbox
from bot.app.commands.parser import Command
from bot.app.door import FrontDoor
from bot.app.inbox import command_work
from bot.identity import is_channel_id

SOURCE = "slack"
APOLOGY = (
    "Sorry, sopbot could not write that down just now (its database is busy or out). "
    "Nothing was done: try again in a moment."
)
log = logging.getLogger(__name__)


class NotRecorded(Exception):
    """The request could not be recorded; its text is what to tell the person."""


def record(door: FrontDoor, key: str, work: dict[str, Any]) -> bool:
    """Record ``work`` under ``key``; False when Slack sent this request before.
    ``NotRecorded`` when it could not be written down."""
    try:
        return inbox.record(
            door.engine.runtime.database,
            key=f"{SOURCE}:{key}",
            source=SOURCE,
            work=work,
            now=door.now(),
        )
    except Exception as error:
        log.exception("could not record Slack request %s", key)
        raise NotRecorded(APOLOGY) from error


def record_click(door: FrontDoor, body: dict[str, Any], command: Command, ack: Ack) -> None:
    """Record one click and acknowledge it; Slack's unique ids for it make a replay record
    nothing. A click that could not be recorded is acknowledged and answered with the
    apology, to the clicker alone."""
    try:
        record(
            door,
            click_key(body),
            command_work(command, by=body["user"]["id"], channel=channel_of(body)),
        )
    except NotRecorded as sorry:
        ack()
        if body.get("response_url"):
            WebhookClient(body["response_url"]).send(
                text=str(sorry), response_type="ephemeral", replace_original=False
            )
        return
    ack()


def click_key(body: dict[str, Any]) -> str:
    """What names a click in the inbox: Slack's unique ids for it, and the clicker."""
    action = body["actions"][0]
    container = body.get("container") or {}
    return ":".join(
        (
            "click",
            str(container.get("channel_id", "")),
            str(container.get("message_ts", "")),
            str(action.get("action_ts", "")),
            body["user"]["id"],
        )
    )


def tell_alone(client: WebClient, user: str, channel: str | None, text: str) -> None:
    """``text`` to ``user`` alone: in ``channel`` (ephemeral), else in their DM with the bot.
    Said after the ack, so a failure is logged and never undoes it."""
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        else:
            client.chat_postMessage(channel=user, text=text)
    except Exception:
        log.exception("could not tell %s privately", user)


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel a click or submission came from, if any; none for a direct message
    (sopbot answers there by the person's ID)."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return str(channel) if channel and is_channel_id(str(channel)) else None
