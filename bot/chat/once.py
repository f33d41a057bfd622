"""Keyed posting for adapters that remember in memory: the same key posts once."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from bot.chat.messages import MessageRef

DEFAULT_LIMIT = 10_000
"""Keys kept per adapter. A repeat comes within one lease of the first post, long before
ten thousand later messages; the database record covers anything older."""


class PostedKeys:
    """Where each keyed message landed, newest ``limit`` keys, safe across threads."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        self._limit = limit
        self._refs: OrderedDict[str, MessageRef] = OrderedDict()
        self._lock = threading.Lock()

    def post_once(self, key: str, post: Callable[[], MessageRef]) -> MessageRef:
        """The earlier ref for ``key``; otherwise ``post()``, remembered under ``key``.

        The lock is held while posting, so two threads delivering one key post once.
        """
        with self._lock:
            earlier = self._refs.get(key)
            if earlier is not None:
                return earlier
            ref = post()
            self._refs[key] = ref
            if len(self._refs) > self._limit:
                self._refs.popitem(last=False)
            return ref
