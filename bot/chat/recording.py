"""A ChatPort that keeps what it was given: for scenario files, tests and dry runs."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import ClassVar

from bot.chat.messages import Message, MessageRef, Question
from bot.chat.once import PostedKeys


@dataclass
class RecordingChat:
    """Every message posted (once per key), every card replacement and every question
    asked, in order."""

    finds_earlier_posts: ClassVar[bool] = True
    """It remembers every key it was given, and it lives only in this process: it finds an
    earlier post itself, so the outbox records posts once per batch."""
    posted: list[Message] = field(default_factory=list)
    updates: list[tuple[MessageRef, Message]] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _keys: PostedKeys = field(default_factory=PostedKeys)

    def post(self, message: Message, *, key: str) -> MessageRef:
        return self._keys.post_once(key, lambda: self._record(message))

    def _record(self, message: Message) -> MessageRef:
        with self._lock:
            self.posted.append(message)
            return MessageRef(to=message.to, id=f"rec-{next(self._ids)}")

    def update(self, ref: MessageRef, message: Message) -> None:
        with self._lock:
            self.updates.append((ref, message))

    def ask(self, question: Question) -> None:
        with self._lock:
            self.questions.append(question)

    def to(self, destination: str) -> list[Message]:
        """The messages sent to one destination."""
        return [message for message in self.posted if message.to == destination]

    def alerts(self) -> list[Message]:
        """The alert messages (escalations, SLA warnings and breaches)."""
        return [message for message in self.posted if message.kind == "alert"]
