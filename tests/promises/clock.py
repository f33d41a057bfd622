"""The test's clock, shared with the worker processes it starts.

Seconds after ``START`` in shared memory: the test moves time forward, every worker reads
it. A five-minute wait or an expired lease then costs no real time. The value is a raw
double without a lock on purpose: a worker killed while holding a lock would hang the test.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import multiprocessing

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


class SharedClock:
    """A ``bot.clock.time.Clock`` that only the test moves."""

    def __init__(self, seconds: ctypes.c_double | None = None) -> None:
        self.seconds = seconds if seconds is not None else multiprocessing.RawValue(ctypes.c_double)

    def now(self) -> dt.datetime:
        return START + dt.timedelta(seconds=self.seconds.value)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move time forward for the test and every worker at once."""
        if delta < dt.timedelta():
            raise ValueError("time only moves forward")
        self.seconds.value += delta.total_seconds()
        return self.now()
