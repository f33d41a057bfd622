"""The ChatPort for the console: prints what Slack would show, numbering every button."""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from bot.chat.messages import Button, Message, MessageRef, Question
from bot.chat.once import PostedKeys
from bot.console.render import render_message, render_update
from bot.directory import Directory


@dataclass
class ConsoleChat:
    """Messages go to ``write``; buttons get numbers the person can type.

    A number stays valid while its card does: when a card is replaced (an approval was
    decided), its buttons stop working, as they disappear in Slack. Message ids differ per
    console, so a card remembered from an earlier session never takes a newer card's buttons.

    A question waits here until the session, which owns the keyboard, prompts for its
    answers (as a button waits for its number to be typed).
    """

    finds_earlier_posts: ClassVar[bool] = True
    """The console is one process that remembers every key it printed: it finds an earlier
    post itself, so the outbox records posts once per batch."""

    directory: Directory
    write: Callable[[str], None]
    buttons: dict[int, Button] = field(default_factory=dict)
    _by_message: dict[str, list[int]] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _prefix: str = field(default_factory=lambda: f"m{secrets.token_hex(3)}-")
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _keys: PostedKeys = field(default_factory=PostedKeys)
    _questions: list[Question] = field(default_factory=list)

    def post(self, message: Message, *, key: str) -> MessageRef:
        return self._keys.post_once(key, lambda: self._show(message))

    def _show(self, message: Message) -> MessageRef:
        with self._lock:
            ref = MessageRef(to=message.to, id=f"{self._prefix}{next(self._ids)}")
            self.write(render_message(message, self.directory, self._number(message, ref.id)))
            return ref

    def update(self, ref: MessageRef, message: Message) -> None:
        with self._lock:
            for number in self._by_message.pop(ref.id, []):
                self.buttons.pop(number, None)
            if message.card is not None and message.card.buttons:
                numbers = self._number(message, ref.id)
                self.write("(updated) " + render_message(message, self.directory, numbers))
            else:
                self.write(render_update(message, self.directory))

    def ask(self, question: Question) -> None:
        with self._lock:
            self._questions.append(question)

    def take_questions(self) -> list[Question]:
        """The questions asked since the last call, oldest first; each is handed out once."""
        with self._lock:
            taken, self._questions = self._questions, []
            return taken

    def open_buttons(self) -> list[tuple[int, Button]]:
        """The buttons that can still be pressed, by number."""
        with self._lock:
            return sorted(self.buttons.items(), key=lambda item: item[0])

    def _number(self, message: Message, message_id: str) -> list[int]:
        numbers: list[int] = []
        if message.card:
            for button in message.card.buttons:
                number = next(self._numbers)
                self.buttons[number] = button
                numbers.append(number)
        self._by_message[message_id] = numbers
        return numbers
