"""APScheduler as the alarm clock: the rows in ``timers`` are the truth; the scheduler only
wakes the worker when the next one is due, plus a periodic sweep as a safety net.

Timezone UTC, no misfire is ever dropped (a late wake still runs), and wakes coalesce.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)
WAKE_JOB = "sopbot-wake"
SWEEP_JOB = "sopbot-sweep"


class Waker:
    """Runs ``work`` (the worker's ``run_due``) when due, one at a time."""

    def __init__(
        self,
        work: Callable[[], object],
        next_due: Callable[[], dt.datetime | None],
        engine_now: Callable[[], dt.datetime],
        *,
        sweep_seconds: float = 15.0,
    ) -> None:
        self._work = work
        self._next_due = next_due
        self._engine_now = engine_now
        self._lock = threading.Lock()
        self._scheduler = BackgroundScheduler(
            timezone=dt.UTC,
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._scheduler.add_job(self.wake, "interval", seconds=sweep_seconds, id=SWEEP_JOB)

    def start(self) -> None:
        self._scheduler.start()
        self.wake()

    def stop(self) -> None:
        self._scheduler.shutdown(wait=False)

    def wake(self) -> None:
        """Do due work now, then set the alarm for the next due timer.

        One wake at a time, alarm included: two threads replacing the alarm together make
        APScheduler lose track of it (``JobLookupError``)."""
        with self._lock:
            try:
                self._work()
                due = self._next_due()
            except Exception:  # keep the alarm alive; the sweep tries again
                log.exception("due work failed")
                return
            if due is not None:
                skew = self._engine_now() - dt.datetime.now(dt.UTC)  # the sandbox clock runs ahead
                self._scheduler.add_job(
                    self.wake, "date", run_date=due - skew, id=WAKE_JOB, replace_existing=True
                )
