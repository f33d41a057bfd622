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


MOST_AHEAD = dt.timedelta(days=36_525)
"""How far the sandbox clock may run ahead of real time: a hundred years, so that it and
every date the engine counts from it (now plus a wait) stay inside the calendar."""


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
        """Move time forward (never back: timers already fired stay fired), at most
        ``MOST_AHEAD`` of real time; a move past that is refused and the clock stays."""
        if delta < dt.timedelta():
            raise ValueError("time only moves forward")
        with self._lock:
            room = MOST_AHEAD - self._offset
            if delta > room:
                raise ValueError(
                    "Sandbox time moves at most 100 years ahead of real time; "
                    f"it can move {room.days} more days"
                )
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
