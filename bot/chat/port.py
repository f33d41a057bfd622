"""The port: everything the engine needs from a chat surface. Both adapters (Slack and the
local console) implement it, so whatever Slack can do, the console can do."""

from __future__ import annotations

from typing import Protocol

from bot.chat.messages import Message, MessageRef, Question


class Undeliverable(Exception):
    """The chat refused a message for good (no such channel, the bot is not in it, the
    person is gone): trying again would change nothing, so the outbox gives up on it."""


class ChatPort(Protocol):
    """Deliver messages and keep cards current."""

    def post(self, message: Message, *, key: str) -> MessageRef:
        """Deliver a message (or a card) once, and say where it landed.

        ``key`` names this delivery (the outbox message's id). Given a key it has seen
        before, an adapter returns the earlier ``MessageRef`` and posts nothing: a worker
        whose lease ran out, or that died between posting and recording, asks again with
        the same key. An adapter that keeps no state of its own finds the earlier post
        where it can: the Slack adapter stores the key in the message's metadata and looks
        for it in the conversation before posting. The outbox also records each delivery
        in the database (``bot.engine.notify.deliver``; an adapter that finds earlier posts
        itself says so with a ``finds_earlier_posts = True`` attribute, and the outbox then
        records its posts in one commit per batch), so an adapter without any memory
        across processes is asked again only in the moment between a post and its record.
        """
        ...

    def update(self, ref: MessageRef, message: Message) -> None:
        """Replace a posted card, e.g. to show who decided an approval. Replacing it twice
        with the same message shows the same thing, so a repeated update is harmless."""
        ...


class SurfacePort(ChatPort, Protocol):
    """A chat surface where people are (Slack, the console, a recording for tests): it
    also asks questions. The engine's outbox only posts and updates, so a headless worker's
    chat need not ask anything."""

    def ask(self, question: Question) -> None:
        """Show ``question`` to ``question.to``: a modal in Slack, prompts in the console.

        Asking returns at once; the answers come back later through the front door
        (``FrontDoor.answer``), as a modal's submission does in Slack.
        """
        ...
