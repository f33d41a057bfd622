"""What every listener does with a request that changes something: record it in the durable
inbox under Slack's own unique ids, before acknowledging it."""

from __future__ import annotations

from typing import Any

from bot.app import inbox
from bot.app.door import FrontDoor

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
