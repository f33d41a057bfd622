"""Promises 1-3 under SIGKILL: a worker process is killed at random moments, again and
again, while hundreds of runs of ``promise-mix`` (reads, writes that cannot be repeated,
writes with idempotency keys, a wait, approvals, an SLA clock) go through it.

After every kill, at rest: no run is stuck, no write happened twice, every success in the
journal happened once at the tool, every interrupted write that cannot be repeated is
escalated as "may or may not have happened". At the end, with a worker left running, every
run has ended and every performed write is journalled.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

from sqlalchemy import select

from storage.database import Database
from storage.models import StepRecord
from tests.promises.clock import SharedClock
from tests.promises.fleet import Desk, Fleet
from tests.promises.ledger import (
    MAYBE_DONE,
    Ledger,
    broken_at_the_end,
    broken_promises,
    is_idle,
    progress,
    stuck,
    unfinished_count,
)
from tests.promises.worker_process import LEASE

RUNS = int(os.environ.get("SOPBOT_PROMISE_RUNS", "150"))
KILLS = int(os.environ.get("SOPBOT_PROMISE_KILLS", "40"))
JUMPS = tuple(
    dt.timedelta(seconds=seconds) for seconds in (0, 0, 30, 120, 360, LEASE.total_seconds() + 1)
)
"""How far the clock may move between two workers: not at all, past the wait, past a lease."""
KILL_STYLES = ("after some progress", "with a write in flight", "gracefully")


def test_sigkill_at_random_moments_breaks_no_promise(
    database: Database, tmp_path: Path, promise_seed: int
) -> None:
    rng = random.Random(promise_seed)
    clock = SharedClock()
    url = database.url.render_as_string(hide_password=False)
    fleet = Fleet(url, clock, tmp_path)
    desk = Desk(url, clock)
    interrupted: set[int] = set()
    try:
        for round_number in range(KILLS):
            rounds_left = KILLS - round_number
            still_to_start = RUNS - len(desk.started)
            batch = still_to_start if rounds_left == 1 else rng.randint(0, 2 * still_to_start // rounds_left)
            desk.start_runs(batch, rng)
            worker = f"crash-{round_number:03d}"
            fleet.start(worker)
            style = rng.choice(KILL_STYLES)
            import time; t0 = time.monotonic(); p0 = progress(database)
            if style == "with a write in flight":
                fleet.wait_until(lambda: bool(_in_flight(database) - interrupted) or is_idle(database, clock.now(), fleet.running), timeout=20)
            else:
                target = progress(database) + rng.randint(1, 60)
                if not fleet.wait_until(lambda: progress(database) >= target or is_idle(database, clock.now(), fleet.running), timeout=20):
                    import os, signal; os.kill(fleet.running[worker].pid, signal.SIGUSR1); fleet.pause(1)
            if style == "gracefully":
                fleet.wait_serving(worker)
                assert fleet.stop(worker) == 0, fleet.tail(worker)
            else:
                fleet.kill(worker)
            print(style, batch, round(time.monotonic() - t0, 3), progress(database) - p0, unfinished_count(database), len(_in_flight(database) - interrupted))
            interrupted |= _in_flight(database)
            assert stuck(database) == []
            assert broken_promises(Ledger.read(database)) == []
            desk.decide(rng, share=0.5, reject=0.2)
            clock.advance(rng.choice(JUMPS))

        import time; t0 = time.monotonic()
        fleet.start("survivor")
        while unfinished_count(database):
            if not fleet.wait_until(lambda: is_idle(database, clock.now(), fleet.running), timeout=30):
                import os, signal; os.kill(fleet.running["survivor"].pid, signal.SIGUSR1); fleet.pause(1)
                raise AssertionError(fleet.tail("survivor", 200))
            desk.decide(rng, share=1.0, reject=0.2)
            clock.advance(LEASE + dt.timedelta(seconds=1))
        assert fleet.stop("survivor") == 0, fleet.tail("survivor")
        print("survivor", time.monotonic() - t0)
    finally:
        fleet.close()
        desk.close()

    final = Ledger.read(database)
    assert len(final.runs) == RUNS
    assert broken_at_the_end(final) == []
    assert stuck(database) == []
    assert interrupted, "no kill landed while a write was in flight: the test proved too little"
    for entry in final.journal:
        if entry.id in interrupted:
            assert entry.status == "unknown", f"{entry.run_id} {entry.step_id} was interrupted but is {entry.status}"
            assert MAYBE_DONE in (final.runs[entry.run_id].reason or "")


def _in_flight(database: Database) -> set[int]:
    """Journal entries of calls begun and not finished: a write whose intent is committed."""
    with database.session(read_only=True) as session:
        return set(session.scalars(select(StepRecord.id).where(StepRecord.status == "started")))
