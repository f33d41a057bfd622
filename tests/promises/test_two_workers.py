"""Promise 3 with two worker processes on one database (PostgreSQL, and a SQLite file):
hundreds of runs with waits, approvals and SLA clocks, the clock jumping so that several
timers of one run fall due at once. No timer fires twice, no step runs twice, no write
happens twice, no chat message goes out twice, and every run completes.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from storage.database import Database
from tests.promises.clock import SharedClock
from tests.promises.desk import Desk
from tests.promises.fleet import Fleet
from tests.promises.ledger import SLA, Ledger, broken_at_the_end, is_idle, unfinished_count

pytestmark = pytest.mark.timeout(300)  # a minute or two on two cores; more on a busy machine
RUNS = int(os.environ.get("SOPBOT_PROMISE_RUNS", "150"))
JUMP = dt.timedelta(minutes=6)
"""Past the SOP's 5-minute wait and its 3-minute SLA link at once: both fall due together."""
WORKERS = ("left", "right")
_CHAT_LINE = re.compile(r" sopbot\.chat: (\S+) \S+ (.*)$")
_STILL_RUNNING = re.compile(r"(r-[0-9a-f]{10}) is still running after 3 minutes")


def test_two_workers_do_everything_exactly_once(
    database: Database, tmp_path: Path, promise_seed: int
) -> None:
    rng = random.Random(promise_seed)
    clock = SharedClock()
    url = database.url.render_as_string(hide_password=False)
    fleet = Fleet(url, clock, tmp_path)
    desk = Desk(url, clock)
    try:
        desk.start_runs(RUNS, rng)
        for worker in WORKERS:
            fleet.start(worker)
        while unfinished_count(database):
            idle = fleet.wait_until(lambda: is_idle(database, clock.now(), WORKERS), timeout=120)
            assert idle, "\n".join(fleet.tail(worker) for worker in WORKERS)
            clock.advance(JUMP)
            desk.decide(rng, share=1.0, reject=0.0)  # while the workers handle the jump
        for worker in WORKERS:
            assert fleet.end(worker) == 0, fleet.tail(worker)
    finally:
        fleet.close()
        desk.close()

    ledger = Ledger.read(database)
    assert broken_at_the_end(ledger) == []
    assert Counter(run.status for run in ledger.runs.values()) == {"completed": RUNS}
    done = [timer for timer in ledger.timers if timer.status == "done"]
    assert all(timer.fired_at is not None for timer in done)
    assert {timer.claimed_by for timer in done} == set(WORKERS), "each fired by one, both worked"
    for run_id in ledger.runs:
        assert ledger.tool_calls[run_id, SLA] == 1, f"{run_id}: the SLA link's write"

    delivered = Counter(
        match.groups() for line in fleet.chat_lines() if (match := _CHAT_LINE.search(line))
    )
    assert [message for message, count in delivered.items() if count > 1] == []
    # one alert message per run (its card repeats the text, so count messages, not words)
    alerted = Counter(
        found[1] for _, text in delivered if (found := _STILL_RUNNING.search(text)) is not None
    )
    assert alerted == dict.fromkeys(ledger.runs, 1)
