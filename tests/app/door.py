"""A front door over a test harness, answering through the harness's recording chat."""

from __future__ import annotations

from bot.app.door import FrontDoor
from bot.harness import Harness


def door_of(harness: Harness) -> FrontDoor:
    """The front door a surface would call, over ``harness``'s engine."""
    return FrontDoor(harness.engine, harness.directory, harness.chat)
