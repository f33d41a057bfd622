"""What every listener does with a request that changes something: record it in the durable
inbox under Slack's own unique ids, before acknowledging it."""

from __future__ import annotations

from typing import Any

from bot.app import inbox
from bot.app.commands.parser import Command
from bot.app.door import FrontDoor
from bot.app.inbox import command_work

SOURCE = "slack"


def record(door: FrontDoor, key: str, work: dict[str, Any]) -> bool:
    """Record ``work`` under ``key``; False when Slack sent this request before."""
    return inbox.record(
        door.engine.runtime.database,
        key=f"{SOURCE}:{key}",
        source=SOURCE,
        work=work,
        now=door.now(),
    )


def record_click(door: FrontDoor, body: dict[str, Any], command: Command) -> None:
    """Record one click; Slack's unique ids for it make a replay record nothing."""
    action = body["actions"][0]
    container = body.get("container") or {}
    key = ":".join(
        (
            "click",
            str(container.get("channel_id", "")),
            str(container.get("message_ts", "")),
            str(action.get("action_ts", "")),
            body["user"]["id"],
        )
    )
    record(door, key, command_work(command, by=body["user"]["id"], channel=channel_of(body)))


def channel_of(body: dict[str, Any]) -> str | None:
    """The conversation a click or submission came from, if any."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return str(channel) if channel else None
