"""A small time-to-live cache: Slack's people and groups change rarely, and the directory is
asked on every click, so answers are kept for a while and then asked again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class TtlCache(Generic[K, V]):
    """Values loaded on first use and kept ``ttl`` seconds by ``clock`` (injectable)."""

    ttl: float
    clock: Callable[[], float] = time.monotonic
    _entries: dict[K, tuple[float, V]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: K, load: Callable[[], V]) -> V:
        """The kept value for ``key`` while it is fresh, else ``load()`` kept anew. Loading
        happens outside the lock: a slow Slack call never holds up other keys."""
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        value = load()
        with self._lock:
            self._entries[key] = (now, value)
        return value

    def forget(self, key: K) -> None:
        """Drop ``key``'s value: the next ``get`` loads it anew (Slack changed it)."""
        with self._lock:
            self._entries.pop(key, None)
