"""Errors logged while the console runs, as one readable line instead of a traceback.

The engine already turns an internal error into an escalated run and an alert; the console
person needs the one-line cause, not the stack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class _OneLineHandler(logging.Handler):
    def __init__(self, say: Callable[[str], None]) -> None:
        super().__init__(level=logging.ERROR)
        self._say = say

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            cause = str(error).strip().splitlines()
            text += f": {type(error).__name__}" + (f": {cause[0]}" if cause else "")
        self._say(f"[error] {text}")


@contextmanager
def errors_as_lines(say: Callable[[str], None]) -> Iterator[None]:
    """While open, every ERROR record anywhere reaches ``say`` as one ``[error] …`` line."""
    handler = _OneLineHandler(say)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
