"""Promises 1-3 under SIGKILL: a worker process dies again and again while hundreds of runs
of ``promise-mix`` (reads, writes that cannot be repeated, writes with idempotency keys, a
wait, approvals, an SLA clock whose link writes) go through it.

Each worker in turn signals itself just before one of its database commits, chosen at
random: any commit, or the first one after a tool's write (the tool acted, the engine has
not recorded it yet). Mostly the signal is SIGKILL, a crash (dying before a commit reaches
every crash window, see ``worker_process``); sometimes SIGTERM, and then the worker must
finish the timer in hand and exit 0. Between workers the test decides some approvals and
moves the clock: not at all, past the wait, or past the dead worker's lease. Everything
follows from the seed: the same seed kills the same workers at the same commits.

After every death, at rest: no run is stuck, no write happened twice at the tool, every
success in the journal happened exactly once, and every call cut off that cannot be
repeated is reported as "may or may not have happened" (a step of the run: the run is
escalated; an SLA link's call: the owner is told). At the end, with one worker left
running, every run has ended, every call cut off is closed as unknown, and every write the
tool performed is journalled.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.database import Database
from storage.models import StepRecord
from tests.promises.clock import SharedClock
from tests.promises.desk import Desk
from tests.promises.fleet import Fleet
from tests.promises.ledger import (
    Ledger,
    broken_at_the_end,
    broken_promises,
    is_idle,
    stuck,
    unfinished_count,
)
from tests.promises.worker_process import LEASE, Ending

pytestmark = pytest.mark.timeout(300)  # a minute or two on two cores; more on a busy machine
RUNS = int(os.environ.get("SOPBOT_PROMISE_RUNS", "150"))
WORKERS = int(os.environ.get("SOPBOT_PROMISE_WORKERS", "40"))
"""How many workers start and die in turn before the survivor finishes the work."""
LAST_COMMIT = 60
"""The latest commit a worker may signal itself before (a run takes about 25)."""
LAST_WRITE = 6
"""The latest tool write a worker may signal itself after."""
JUMPS = tuple(dt.timedelta(seconds=s) for s in (0, 0, 30, 120, 360, LEASE.total_seconds() + 1))
"""How far the clock moves between two workers: not at all, past the wait, past a lease."""
SIGNALS = (signal.SIGKILL,) * 4 + (signal.SIGTERM,)
EXIT_CODE: dict[int, int] = {signal.SIGKILL: -signal.SIGKILL, signal.SIGTERM: 0}


def test_workers_dying_at_random_moments_break_no_promise(
    database: Database, tmp_path: Path, promise_seed: int
) -> None:
    rng = random.Random(promise_seed)
    clock = SharedClock()
    url = database.url.render_as_string(hide_password=False)
    fleet = Fleet(url, clock, tmp_path)
    desk = Desk(url, clock)
    interrupted: set[int] = set()
    try:
        for number in range(WORKERS):
            desk.start_runs(_share_of_runs(rng, len(desk.started), number), rng)
            worker = f"worker-{number:03d}"
            ending = _random_ending(rng)
            fleet.start(worker, ending=ending)
            spent = fleet.wait_until(partial(_spent, fleet, worker, database, clock), timeout=60)
            assert spent, f"{worker} neither ended nor ran out of work:\n{fleet.tail(worker)}"
            assert fleet.end(worker, ending.signum) == EXIT_CODE[ending.signum], fleet.tail(worker)
            interrupted |= _calls_in_flight(database)
            assert stuck(database) == []
            assert broken_promises(Ledger.read(database)) == []
            desk.decide(rng, share=0.5, reject=0.2)
            clock.advance(rng.choice(JUMPS))

        fleet.start("survivor")
        while unfinished_count(database):
            finished = fleet.wait_until(
                lambda: is_idle(database, clock.now(), fleet.running), timeout=60
            )
            assert finished, f"the survivor is stuck:\n{fleet.tail('survivor')}"
            desk.decide(rng, share=1.0, reject=0.2)
            clock.advance(LEASE + dt.timedelta(seconds=1))
        assert fleet.end("survivor") == 0, fleet.tail("survivor")
    finally:
        fleet.close()
        desk.close()

    final = Ledger.read(database)
    assert len(final.runs) == RUNS
    assert broken_at_the_end(final) == []
    assert stuck(database) == []
    assert interrupted, "no worker died with a write in flight: the test proved too little"
    cut_off = [entry for entry in final.journal if entry.id in interrupted]
    assert {entry.status for entry in cut_off} <= {"unknown", "interrupted"}, (
        "each one closed: repeated with its key (interrupted), or reported as maybe done"
    )


def _random_ending(rng: random.Random) -> Ending:
    signum = rng.choice(SIGNALS)
    if rng.random() < 0.5:
        return Ending(signum, after_write=rng.randint(1, LAST_WRITE))
    return Ending(signum, commit=rng.randint(1, LAST_COMMIT))


def _spent(fleet: Fleet, worker: str, database: Database, clock: SharedClock) -> bool:
    """The worker exited, or has nothing left to do: ending it now leaves the same state."""
    if fleet.exited(worker):
        return True
    return fleet.serving(worker) and is_idle(database, clock.now(), fleet.running)


def _share_of_runs(rng: random.Random, started: int, worker_number: int) -> int:
    """How many runs to start before this worker: all of them by the last one."""
    workers_left = WORKERS - worker_number
    left = RUNS - started
    return left if workers_left == 1 else rng.randint(0, 2 * left // workers_left)


def _calls_in_flight(database: Database) -> set[int]:
    """Journal entries of calls begun and never finished: their worker died during them."""
    with database.session(read_only=True) as session:
        return set(session.scalars(select(StepRecord.id).where(StepRecord.status == "started")))
