"""Posting at Slack's pace: about one message per second per channel. Slack tolerates
short bursts, then answers 429; waiting here first keeps a burst of alerts from turning
into a run of rate-limit errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Pacer:
    """Hands out one posting slot per ``interval`` seconds per channel; ``clock`` and
    ``sleep`` are injectable so tests need not wait."""

    interval: float = 1.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, channel: str) -> None:
        """Return when ``channel`` may take the next post. Each caller reserves its slot
        before sleeping, so threads posting to one channel queue up, and other channels
        never wait for it."""
        with self._lock:
            now = self.clock()
            slot = max(now, self._next.get(channel, now))
            self._next[channel] = slot + self.interval
        if slot > now:
            self.sleep(slot - now)
