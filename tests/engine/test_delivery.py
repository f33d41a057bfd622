"""Promise: no chat message goes out twice. A worker that dies after posting, or whose lease
runs out while the chat is slow, leaves its messages to another worker, which must not post
again what the first one already posted. Each worker has its own LogChat (as two
``sopbot worker`` processes do), so only the database can tell them what was delivered."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from bot.chat.messages import Message, MessageRef
from bot.chat.port import ChatPort
from bot.cli.worker_cmd import LogChat
from bot.engine.engine import Engine
from bot.engine.notify import queue_message
from bot.harness import Harness
from storage.database import Database

TEXTS = ("first note", "second note", "third note")


class ProcessDied(BaseException):
    """Stands for SIGKILL: nothing after it runs, nothing catches it."""


class ChatDown(Exception):
    """The chat did not answer in time (nothing was posted)."""


class TroubledChat:
    """A worker's LogChat whose second post runs into ``trouble`` before reaching the chat."""

    def __init__(self, name: str, trouble: Callable[[], None]) -> None:
        self._chat = LogChat(name)
        self._trouble = trouble
        self._posts = 0

    def post(self, message: Message, *, key: str) -> MessageRef:
        self._posts += 1
        if self._posts == 2:
            self._trouble()
        return self._chat.post(message, key=key)

    def update(self, ref: MessageRef, message: Message) -> None:
        self._chat.update(ref, message)


def _worker(harness: Harness, name: str, chat: ChatPort) -> Engine:
    runtime = dataclasses.replace(harness.engine.runtime, chat=chat, worker_id=name)
    return Engine(runtime)


def _queue_notes(harness: Harness) -> None:
    with harness.database.session() as session:
        for text in TEXTS:
            queue_message(session, Message(to="C02OPS", text=text), now=harness.clock.now())


def _posted(caplog: pytest.LogCaptureFixture) -> Counter[str]:
    return Counter(
        text
        for record in caplog.records
        if record.name == "sopbot.chat"
        for text in TEXTS
        if record.getMessage().endswith(f": {text}")
    )


@pytest.fixture
def harness(database: Database) -> Iterator[Harness]:
    opened = Harness.open(database, [])
    yield opened
    opened.close()


def test_a_worker_that_dies_after_posting_leaves_nothing_to_post_twice(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sopbot.chat")

    def die() -> None:
        raise ProcessDied

    left = _worker(harness, "left", TroubledChat("left", die))
    right = _worker(harness, "right", LogChat("right"))
    _queue_notes(harness)

    with pytest.raises(ProcessDied):
        left.run_due()
    harness.clock.advance(harness.engine.runtime.lease + dt.timedelta(seconds=1))
    right.run_due()

    assert _posted(caplog) == dict.fromkeys(TEXTS, 1)


def test_a_second_worker_taking_over_a_stalled_delivery_posts_nothing_twice(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sopbot.chat")
    right = _worker(harness, "right", LogChat("right"))

    def stall_past_the_lease() -> None:
        harness.clock.advance(harness.engine.runtime.lease + dt.timedelta(seconds=1))
        right.run_due()  # meanwhile, the other worker takes every message over
        raise ChatDown("the chat did not answer")

    left = _worker(harness, "left", TroubledChat("left", stall_past_the_lease))
    _queue_notes(harness)

    left.run_due()
    right.run_due()

    assert _posted(caplog) == dict.fromkeys(TEXTS, 1)
