"""``SlackChat``: the chat port on Slack's Web API. Each message is posted once per outbox
key, even across a crash: the key rides in the message's metadata, and a key this process
has not posted is first looked for in the conversation (a process that died after Slack
took its post finds it there and posts nothing). Posts are paced per channel; rate limits,
server errors and lost connections are handled by ``calls.Retrying``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_sdk import WebClient

from bot.adapters.slack.blocks import SECTION_TEXT, render
from bot.adapters.slack.calls import Retrying
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.modals import question_modal
from bot.adapters.slack.pacing import Pacer
from bot.adapters.slack.text import escape, pieces
from bot.adapters.slack.workspace import ONCE, SlackWorkspace
from bot.chat.messages import Message, MessageRef, Question
from bot.chat.once import PostedKeys
from bot.chat.port import Undeliverable
from bot.directory import Directory
from bot.identity import is_channel_id, is_channel_name, is_group_id, is_user_id

EVENT_TYPE = "sopbot_outbox"
"""The ``event_type`` of the metadata on every message sopbot posts."""
RECENT = 200
"""Messages of a channel's history searched for an earlier post (the newest); a repeat comes
within one lease of its first try, long before 200 later messages."""
THREAD_PAGES = 5
"""Pages of ``RECENT`` replies searched in a thread, oldest first."""


class SlackChat:
    """Posts, updates and asks through one ``WebClient``.

    A ``MessageRef`` is the Slack message itself: ``to`` its channel ID (a DM's ``D…``
    for a person), ``id`` its ``ts``; ``chat.update`` needs exactly those.
    """

    finds_earlier_posts = True
    """It looks a key up in the conversation itself, so the outbox need not commit a record
    of each post before the next one (``bot.engine.timers.messages.deliver_batch``)."""

    def __init__(
        self,
        client: WebClient,
        directory: Directory,
        *,
        retrying: Retrying | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self._client = client
        self._directory = directory
        self._retrying = retrying or Retrying()
        self._pacer = pacer or Pacer()
        self._keys = PostedKeys()
        self._dms: dict[str, str] = {}

    def post(self, message: Message, *, key: str) -> MessageRef:
        deliver = self._whisper if message.kind == "reply" and message.thread else self._deliver
        return self._keys.post_once(key, lambda: deliver(message, key))

    def update(self, ref: MessageRef, message: Message) -> None:
        rendered = render(message)
        self._pacer.wait(ref.to)
        self._retrying.call(
            "chat.update",
            lambda: self._client.chat_update(
                channel=ref.to, ts=ref.id, text=rendered.text, blocks=rendered.blocks
            ),
        )
        if rendered.overflow:
            digest = hashlib.sha256(rendered.overflow.encode()).hexdigest()[:16]
            self._continue(ref, rendered.overflow, key=f"{ref.to}-{ref.id}-{digest}")

    def ask(self, question: Question) -> None:
        trigger = (question.thread or {}).get("trigger_id")
        if not trigger:
            raise Undeliverable(
                f"a Slack form for {question.title!r} opens only from a click or a command "
                "(it needs their trigger_id); nothing was asked"
            )
        view = question_modal(question)
        self._retrying.call(
            "views.open", lambda: self._client.views_open(trigger_id=trigger, view=view)
        )

    def slack_workspace(self) -> SlackWorkspace:
        """The ``slack.*`` operations (``bot.connectors.slack``) on this chat's client,
        directory and pacing, posting as this chat does; each call is tried once, as the
        engine's retry rule decides the rest."""
        directory = self._directory
        if not isinstance(directory, SlackDirectory):
            directory = SlackDirectory(self._client)
        once = SlackChat(self._client, directory, retrying=ONCE, pacer=self._pacer)
        return SlackWorkspace(self._client, directory, once)

    def _whisper(self, message: Message, key: str) -> MessageRef:
        """A reply only its person sees, in the conversation where they asked. Slack keeps
        no ephemeral message in a conversation's history, so unlike a post it cannot be
        looked for: a crash between Slack taking it and the outbox's record shows the
        person the same answer twice, and changes nothing else."""
        channel = self._channel(str((message.thread or {})["to"]))
        rendered = render(message)
        self._pacer.wait(channel)
        response = self._retrying.call(
            "chat.postEphemeral",
            lambda: self._client.chat_postEphemeral(
                channel=channel, user=message.to, text=rendered.text, blocks=rendered.blocks
            ),
        )
        return MessageRef(to=channel, id=str(response["message_ts"]))

    def _deliver(self, message: Message, key: str) -> MessageRef:
        channel = self._channel(message.to)
        thread = message.thread or {}
        # the run's root message (a MessageRef as JSON) is where its thread hangs
        root = thread.get("root") or {}
        thread_ts = root.get("id") if thread.get("to") == message.to else None
        rendered = render(message)
        ref = self._post_once(channel, key, thread_ts, text=rendered.text, blocks=rendered.blocks)
        if rendered.overflow:
            self._continue(MessageRef(to=channel, id=thread_ts or ref.id), rendered.overflow, key)
        return ref

    def _continue(self, parent: MessageRef, overflow: str, key: str) -> None:
        """The full text of a cut message, as replies in its thread."""
        for number, piece in enumerate(pieces(escape(overflow), SECTION_TEXT), start=1):
            self._post_once(parent.to, f"{key}-full-{number}", parent.id, text=piece)

    def _post_once(
        self, channel: str, key: str, thread_ts: str | None, **content: Any
    ) -> MessageRef:
        """Post unless Slack already has a message with ``key`` here."""

        def landed() -> MessageRef | None:
            return self._find(channel, key, thread_ts)

        def attempt() -> MessageRef:
            self._pacer.wait(channel)
            response = self._client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}},
                unfurl_links=False,
                unfurl_media=False,
                **content,
            )
            return MessageRef(to=str(response["channel"]), id=str(response["ts"]))

        earlier = landed()
        if earlier is not None:
            return earlier
        return self._retrying.call("chat.postMessage", attempt, landed=landed)

    def _find(self, channel: str, key: str, thread_ts: str | None) -> MessageRef | None:
        """The message sopbot posted with ``key`` in the channel's recent history (or the
        thread), if any."""
        for message in self._recent(channel, thread_ts):
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == EVENT_TYPE
                and (metadata.get("event_payload") or {}).get("key") == key
            ):
                return MessageRef(to=channel, id=str(message["ts"]))
        return None

    def _recent(self, channel: str, thread_ts: str | None) -> list[dict[str, Any]]:
        if thread_ts is None:
            history = self._call(
                "conversations.history",
                lambda: self._client.conversations_history(
                    channel=channel, limit=RECENT, include_all_metadata=True
                ),
            )
            return list(history.get("messages", []))
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(THREAD_PAGES):
            page = self._call(
                "conversations.replies",
                partial(
                    self._client.conversations_replies,
                    channel=channel,
                    ts=thread_ts,
                    limit=RECENT,
                    cursor=cursor,
                    include_all_metadata=True,
                ),
            )
            found.extend(page.get("messages", []))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return found

    def _channel(self, to: str) -> str:
        """The conversation a destination names: a person's DM, a channel by ID or name."""
        if is_channel_id(to):
            return to
        if is_user_id(to):
            if to not in self._dms:
                opened = self._call(
                    "conversations.open", lambda: self._client.conversations_open(users=to)
                )
                self._dms[to] = str(opened["channel"]["id"])
            return self._dms[to]
        if is_channel_name(to):
            found = self._directory.channel_id(to)
            if found is None:
                raise Undeliverable(
                    f"no channel {to} that sopbot can see: check the name, or invite the app"
                )
            return found
        if is_group_id(to):
            raise Undeliverable(
                f"{to} is a user group, not a conversation: messages for a group go to its "
                "members one by one (bot.engine.notify.fan_out)"
            )
        raise Undeliverable(f"{to!r} is not a Slack user, channel ID or #channel")

    def _call(self, method: str, attempt: Callable[[], Any]) -> dict[str, Any]:
        """A read (safe to repeat), retried as ``Retrying`` says, as plain data."""
        response = self._retrying.call(method, attempt)
        return dict(response.data)
