"""Clocks the engine reads instead of ``datetime.now``, so tests cover "7 days later" in
milliseconds and the console can move time forward in sandbox mode."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol


class Clock(Protocol):
    """Where the engine gets the current time (always aware UTC)."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class OffsetClock:
    """Wall-clock time plus an offset that only grows: ``/clock +7d`` in the sandbox console."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = dt.timedelta()
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._base.now() + self._offset

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move time forward (never back: timers already fired stay fired)."""
        if delta < dt.timedelta():
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset += delta
        return self.now()


class ManualClock:
    """A clock that stands still until told to move: for tests and scenario files."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move time forward by ``delta``."""
        if delta < dt.timedelta():
            raise ValueError("time only moves forward")
        with self._lock:
            self._now += delta
            return self._now
