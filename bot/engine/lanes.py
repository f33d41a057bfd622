"""The threads connector calls run on: one bounded lane per namespace, so a slow or dead
tool holds only its own lane and the calls to every other tool go on.

A lane at its limit refuses a call at once (``LaneFull``) instead of queueing it behind the
hung ones: the engine turns that into a retryable failure, and the worker is free for the
next run. A call that timed out keeps its place until the tool really answers, so a tool
that hangs cannot be flooded with more calls than its limit.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Mapping
from typing import Any

DEFAULT_LIMIT = 4
"""Calls in flight per namespace when the operator sets none (``SOPBOT_CONNECTOR_LIMIT``)."""


class LaneFull(Exception):
    """A namespace already has as many calls in flight as its limit allows."""

    def __init__(self, namespace: str, in_flight: int) -> None:
        calls = "call" if in_flight == 1 else "calls"
        super().__init__(
            f"{namespace} has {in_flight} {calls} in flight, its limit (SOPBOT_CONNECTOR_LIMIT, "
            f"or SOPBOT_CONNECTOR_LIMITS_{namespace.upper()}); not sent, retried shortly"
        )
        self.namespace = namespace


class _Lane:
    """One namespace's calls in flight, each on a thread of its own: at most ``limit`` at
    once, so the count of calls bounds the threads. The threads are daemons: a call hung
    in a tool that never answers must not keep the process from exiting (the threads of a
    ``ThreadPoolExecutor`` are joined at exit, however long that takes)."""

    def __init__(self, namespace: str, limit: int) -> None:
        self.namespace = namespace
        self.limit = limit
        self.in_flight = 0
        self.lock = threading.Lock()
        self.threads: set[threading.Thread] = set()
        self.closed = False

    def submit(
        self, function: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        future.set_running_or_notify_cancel()
        thread = threading.Thread(
            target=self._run,
            args=(future, function, args, kwargs),
            name=f"tool-{self.namespace}",
            daemon=True,
        )
        with self.lock:
            if self.closed:
                raise RuntimeError(f"the {self.namespace} lane is shut down")
            if self.in_flight >= self.limit:
                raise LaneFull(self.namespace, self.in_flight)
            self.in_flight += 1
            self.threads.add(thread)
        try:
            thread.start()
        except BaseException:
            self._done(thread)
            raise
        return future

    def _run(
        self,
        future: concurrent.futures.Future[Any],
        function: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        """The call, its place in the lane given back before its caller hears the answer
        (so the caller's next call is not refused by its own finished one)."""
        try:
            result = function(*args, **kwargs)
        except BaseException as error:  # as ThreadPoolExecutor: the caller gets it
            self._done(threading.current_thread())
            future.set_exception(error)
        else:
            self._done(threading.current_thread())
            future.set_result(result)

    def _done(self, thread: threading.Thread) -> None:
        with self.lock:
            self.in_flight -= 1
            self.threads.discard(thread)

    def shutdown(self, wait: bool) -> None:
        """Refuse new calls; with ``wait``, wait for the calls in flight to end."""
        with self.lock:
            self.closed = True
            running = list(self.threads)
        if wait:
            for thread in running:
                thread.join()


class Lanes:
    """Every namespace's lane, made on its first call: ``limits`` by namespace, else
    ``default`` calls in flight at once."""

    def __init__(self, default: int = DEFAULT_LIMIT, limits: Mapping[str, int] | None = None):
        self.default = default
        self.limits = dict(limits or {})
        self._lanes: dict[str, _Lane] = {}
        self._lock = threading.Lock()

    def limit(self, namespace: str) -> int:
        """How many calls ``namespace`` may have in flight at once."""
        return self.limits.get(namespace, self.default)

    def submit(
        self, namespace: str, function: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[Any]:
        """Run ``function`` on ``namespace``'s lane; ``LaneFull`` at once when it is full."""
        with self._lock:
            lane = self._lanes.get(namespace)
            if lane is None:
                lane = self._lanes[namespace] = _Lane(namespace, self.limit(namespace))
        return lane.submit(function, *args, **kwargs)

    def shutdown(self, wait: bool = True) -> None:
        """Refuse new calls on every lane; with ``wait``, wait for the calls in flight (a
        process that exits without waiting leaves hung calls behind, not its exit)."""
        with self._lock:
            lanes = list(self._lanes.values())
        for lane in lanes:
            lane.shutdown(wait)
