"""The console's one way to the screen: output in the order things happened, and a prompt
that survives output arriving while the person is typing.

A tool write is committed before the message that reports it is delivered, so showing the
tools' new writes before each message keeps the transcript in the order of events.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.console.tool_log import ToolLog


@dataclass
class Terminal:
    """``print_line`` writes a block and ends the line; ``print_prompt`` writes a prompt
    without ending it; ``read`` shows a prompt and returns what the person typed."""

    print_line: Callable[[str], None]
    print_prompt: Callable[[str], None]
    read_line: Callable[[str], str]
    tool_log: ToolLog
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _prompt: str | None = None
    _prompt_broken: bool = False

    def show(self, text: str) -> None:
        """Print ``text`` after whatever the tools did before it."""
        with self._lock:
            for line in self.tool_log.new_lines():
                self._emit(line)
            self._emit(text)

    def read(self, prompt: str) -> str:
        """Wait for the person's next line (EOFError at the end of input)."""
        with self._lock:
            self._prompt, self._prompt_broken = prompt, False
        try:
            return self.read_line(prompt)
        finally:
            with self._lock:
                self._prompt = None

    def restore_prompt(self) -> None:
        """After output arrived in the background, show the prompt again below it."""
        with self._lock:
            if self._prompt is not None and self._prompt_broken:
                self.print_prompt(self._prompt)
                self._prompt_broken = False

    def _emit(self, text: str) -> None:
        if self._prompt is not None and not self._prompt_broken:
            self.print_line("")  # end the prompt's line before the news
            self._prompt_broken = True
        self.print_line(text)
