"""Promise 2 through database outages: a lost connection is an outage to wait out, not a
run's failure.

Two worker processes do the ``promise-mix`` runs while the database keeps failing under
them: on PostgreSQL their connections are terminated again and again
(``pg_terminate_backend``, in the middle of transactions and of tool calls); on SQLite
another process keeps taking the write lock for longer than the workers will wait for it
(``?timeout=`` in their URL), so their commits fail with "database is locked". Every run
must still complete, none may be escalated, no write may happen twice or go unrecorded,
and no SQL or run state may reach a chat message.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.database import Database
from tests.promises.clock import SharedClock
from tests.promises.desk import Desk
from tests.promises.fleet import Fleet
from tests.promises.ledger import Ledger, broken_at_the_end, is_idle, unfinished_count

pytestmark = pytest.mark.timeout(300)
RUNS = int(os.environ.get("SOPBOT_PROMISE_RUNS", "150")) // 5
JUMP = dt.timedelta(minutes=6)
WORKERS = ("left", "right")
WORKER_APP = "sopbot-promise-worker"
OUTAGE_EVERY = 0.5
"""Seconds between two blows to the workers' database."""
SQLITE_LOCK_HELD = 0.3
"""Seconds the outsider holds SQLite's write lock, past the workers' 0.1 s wait."""


def test_runs_ride_out_database_outages(
    database: Database, tmp_path: Path, promise_seed: int
) -> None:
    rng = random.Random(promise_seed)
    clock = SharedClock()
    url = database.url.render_as_string(hide_password=False)
    fleet = Fleet(_workers_url(url), clock, tmp_path)
    desk = Desk(url, clock)
    blows: Counter[str] = Counter()
    try:
        desk.start_runs(RUNS, rng)
        with _outages(url, blows):
            for worker in WORKERS:
                fleet.start(worker)
            while unfinished_count(database):
                idle = fleet.wait_until(
                    lambda: is_idle(database, clock.now(), WORKERS), timeout=120
                )
                assert idle, "\n".join(fleet.tail(worker) for worker in WORKERS)
                clock.advance(JUMP)
                desk.decide(rng, share=1.0, reject=0.0)
        for worker in WORKERS:
            assert fleet.end(worker) == 0, fleet.tail(worker)
    finally:
        fleet.close()
        desk.close()

    assert blows["hit"] > 0, f"the outage never hit a worker: the test proved too little {blows}"
    ledger = Ledger.read(database)
    assert broken_at_the_end(ledger) == []
    not_completed = {
        run.id: run.reason for run in ledger.runs.values() if run.status != "completed"
    }
    assert not_completed == {}
    logs = "\n".join(fleet.tail(worker, 100_000) for worker in WORKERS)
    assert "database unreachable" in logs or "left for later" in logs, "outages were seen"
    leaked = [m for m in ledger.alerts() if any(w in m for w in ("SELECT", "INSERT", "UPDATE"))]
    assert leaked == [], "no SQL reaches people"


def _workers_url(url: str) -> str:
    """The workers' URL: named on PostgreSQL (so only their connections are cut), impatient
    for SQLite's write lock."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return parsed.update_query_dict({"application_name": WORKER_APP}).render_as_string(
            hide_password=False
        )
    return parsed.update_query_dict({"timeout": "0.1"}).render_as_string(hide_password=False)


@contextmanager
def _outages(url: str, blows: Counter[str]) -> Iterator[None]:
    """While open, a thread keeps breaking the workers' database."""
    stop = threading.Event()
    blow = _terminate_workers(url) if url.startswith("postgresql") else _hold_write_lock(url)

    def keep_hitting() -> None:
        while not stop.wait(OUTAGE_EVERY):
            blows["hit" if blow() else "missed"] += 1

    thread = threading.Thread(target=keep_hitting, name="outage", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _terminate_workers(url: str) -> Callable[[], bool]:
    admin = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)

    def blow() -> bool:
        with admin.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :app AND state <> 'idle'"
                ),
                {"app": WORKER_APP},
            ).scalar_one()
        return bool(killed)

    return blow


def _hold_write_lock(url: str) -> Callable[[], bool]:
    path = make_url(url).database
    assert path is not None
    outsider = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    outsider.execute("PRAGMA busy_timeout=5000")
    released = threading.Event()

    def blow() -> bool:
        outsider.execute("BEGIN IMMEDIATE")
        released.wait(SQLITE_LOCK_HELD)  # a timed hold, as a backup tool would take it
        outsider.execute("COMMIT")
        return True

    return blow
