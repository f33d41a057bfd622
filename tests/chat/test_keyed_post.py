"""The chat port's promise: given a key it has seen, an adapter returns the earlier place
and posts nothing, so a worker that asks again after a crash or a lost lease is harmless."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.chat.messages import Message, MessageRef
from bot.chat.once import PostedKeys
from bot.chat.port import ChatPort
from bot.chat.recording import RecordingChat
from bot.cli.worker_cmd import LogChat
from bot.console.chat import ConsoleChat

Posts = Callable[[], int]
"""How many messages an adapter has shown so far."""


class _Channels:
    """The console renders names through a directory; these tests post to channels only."""

    def display_name(self, slack_id: str) -> str:
        return slack_id

    def find_user(self, handle: str) -> str | None:
        return None

    def members(self, group_id: str) -> frozenset[str]:
        return frozenset()

    def channel_id(self, name_or_id: str) -> str | None:
        return name_or_id


def _recording(caplog: pytest.LogCaptureFixture) -> tuple[ChatPort, Posts]:
    chat = RecordingChat()
    return chat, lambda: len(chat.posted)


def _console(caplog: pytest.LogCaptureFixture) -> tuple[ChatPort, Posts]:
    shown: list[str] = []
    return ConsoleChat(_Channels(), shown.append), lambda: len(shown)


def _log(caplog: pytest.LogCaptureFixture) -> tuple[ChatPort, Posts]:
    caplog.set_level(logging.INFO, logger="sopbot.chat")
    return LogChat("worker-1"), lambda: len(
        [record for record in caplog.records if record.name == "sopbot.chat"]
    )


@pytest.mark.parametrize(
    "adapter", [_recording, _console, _log], ids=["recording", "console", "log"]
)
def test_the_same_key_posts_once_and_returns_the_first_place(
    adapter: Callable[[pytest.LogCaptureFixture], tuple[ChatPort, Posts]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    chat, posts = adapter(caplog)
    message = Message(to="C02OPS", text="Claim CL-7001 is still open")
    first = chat.post(message, key="k-1")
    again = chat.post(message, key="k-1")
    other = chat.post(message, key="k-2")

    assert again == first
    assert other != first
    assert posts() == 2


def test_an_adapter_forgets_its_oldest_keys_beyond_its_limit() -> None:
    keys = PostedKeys(limit=2)
    posted: list[str] = []

    def post(key: str) -> MessageRef:
        return keys.post_once(key, lambda: posted.append(key) or MessageRef(to="C02OPS", id=key))

    for key in ("a", "b", "c", "c", "a"):
        post(key)
    assert posted == ["a", "b", "c", "a"]  # "a" was the oldest of three: forgotten
