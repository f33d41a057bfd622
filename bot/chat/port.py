"""The port: everything the engine needs from a chat surface. Both adapters (Slack and the
local console) implement it, so whatever Slack can do, the console can do."""

from __future__ import annotations

from typing import Protocol

from bot.chat.messages import Message, MessageRef


class ChatPort(Protocol):
    """Deliver messages and keep cards current."""

    def post(self, message: Message) -> MessageRef:
        """Deliver a message (or a card) and say where it landed."""
        ...

    def update(self, ref: MessageRef, message: Message) -> None:
        """Replace a posted card, e.g. to show who decided an approval."""
        ...
