"""The Slack connector's ``Workspace`` on the surface's own Web API client: posts go through
a ``SlackChat`` (the chat port: key in the message metadata, found again after a crash,
paced per channel, text escaped and cut as all chat text), channels are made and joined
with ``conversations.*``. Each call is tried once: the engine's retry rule decides what
comes next, so Slack's refusals and outages become ``SlackFault`` at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient

from bot.adapters.slack.calls import Retrying, SlackRefused, SlackUnavailable
from bot.adapters.slack.directory import SlackDirectory
from bot.chat.messages import Message
from bot.chat.port import ChatPort, Undeliverable
from bot.connectors.slack.workspace import Conversation, Identity, SlackFault
from bot.identity import is_channel_id
from bot.secrets import remember

ONCE = Retrying(attempts=1)
ALREADY_IN = "already_in_channel"


class SlackWorkspace:
    """``bot.connectors.slack.Workspace`` on ``client``; ``chat`` posts (a ``SlackChat`` on
    the same client that tries each call once)."""

    def __init__(self, client: WebClient, directory: SlackDirectory, chat: ChatPort) -> None:
        self._client = client
        self._directory = directory
        self._chat = chat
        if client.token:
            remember([client.token])  # never in an error, a log, the audit or chat

    def post(self, to: str, text: str, *, key: str, thread_ts: str | None) -> tuple[str, str]:
        thread = {"to": to, "root": {"id": thread_ts}} if thread_ts else None
        with _faults("chat.postMessage"):
            ref = self._chat.post(Message(to=to, text=text, thread=thread), key=key)
        return ref.to, ref.id

    def create_channel(self, name: str, *, private: bool) -> Conversation:
        made = self._call(
            "conversations.create",
            lambda: self._client.conversations_create(name=name, is_private=private),
        )
        self._directory.forget_channels()
        return _conversation(made["channel"])

    def find_channel(self, name: str) -> Conversation | None:
        self._directory.forget_channels()
        with _faults("conversations.list"):
            found = self._directory.channel_id(name)
        if found is None:
            return None
        info = self._call(
            "conversations.info", lambda: self._client.conversations_info(channel=found)
        )
        return _conversation(info["channel"])

    def invite(self, channel: str, users: list[str]) -> Conversation:
        with _faults("conversations.list"):
            found = channel if is_channel_id(channel) else self._directory.channel_id(channel)
        if found is None:
            raise SlackFault("conversations.invite", "channel_not_found")
        try:
            answer = self._call(
                "conversations.invite",
                lambda: self._client.conversations_invite(
                    channel=found, users=",".join(users), force=True
                ),
            )
        except SlackFault as fault:
            if fault.code != ALREADY_IN:
                raise
            return Conversation(id=found, name=channel.removeprefix("#"))
        return _conversation(answer["channel"])

    def identity(self) -> Identity:
        with _faults("auth.test"):
            answer = ONCE.call("auth.test", self._client.auth_test)
        headers = {name.lower(): value for name, value in answer.headers.items()}
        raw = headers.get("x-oauth-scopes")
        listed = raw[0] if isinstance(raw, list) else raw
        scopes = None if listed is None else frozenset(s.strip() for s in listed.split(",") if s)
        return Identity(
            user=str(answer.get("user", "")),
            user_id=str(answer.get("user_id", "")),
            team=str(answer.get("team", "")),
            scopes=scopes,
        )

    @staticmethod
    def _call(method: str, attempt: Callable[[], Any]) -> dict[str, Any]:
        with _faults(method):
            response = ONCE.call(method, attempt)
        return dict(response.data)


def _conversation(channel: dict[str, Any]) -> Conversation:
    return Conversation(
        id=str(channel["id"]),
        name=str(channel.get("name", "")),
        creator=str(channel.get("creator", "")),
    )


@contextmanager
def _faults(method: str) -> Iterator[None]:
    """The adapter's errors inside as ``SlackFault``."""
    try:
        yield
    except SlackRefused as refused:
        raise SlackFault(refused.method, refused.error, needed=refused.needed) from None
    except SlackUnavailable as unavailable:
        code = "ratelimited" if unavailable.retry_after is not None else "unavailable"
        raise SlackFault(
            method,
            code,
            retryable=True,
            retry_after=unavailable.retry_after,
            detail=str(unavailable),
        ) from None
    except Undeliverable as undeliverable:  # a #name or ID that names no conversation
        raise SlackFault(method, "channel_not_found", detail=str(undeliverable)) from None
