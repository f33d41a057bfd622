"""Timers at scale: 100,000 pending timers fired as they fall due, and a restart beside them.

    .venv/bin/python bench/timers.py [--timers N] [--window SECONDS] [--postgres URL]

Setup schedules the timers with ``storage.timers.schedule`` (chat messages, the engine's
cheapest kind of timer), due evenly over a window of real seconds. A worker process wired
as a real sopbot process (``bot.wiring``), woken by its APScheduler ``Waker``, fires them;
lateness is ``fired_at - due_at`` as stored. Before that, a fresh process opens the same
database with every timer still pending and is timed until it has claimed its first due one.

The window sits at a fixed moment in the future. Each process reads a clock shifted from
wall time by a constant, chosen so the window opens just after it is ready. A constant
shift changes no duration, so lateness and throughput are as on a real clock.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import multiprocessing
import multiprocessing.queues
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from _common import (
    BenchError,
    SqlTally,
    machine_line,
    peak_rss_mib,
    percentile,
    postgres_admin_url,
    print_table,
    run_cli,
    scratch_directory,
    scratch_postgres,
    sqlite_url,
)
from sqlalchemy import select

from bot.chat.messages import Message, MessageRef, message_to_json
from bot.chat.once import PostedKeys
from bot.clock.waker import Waker
from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.status import TimerKind
from bot.wiring import assemble
from storage import timers
from storage.database import Database
from storage.models import Timer

WINDOW_OPENS = dt.datetime(2030, 1, 9, 3, 0, tzinfo=dt.UTC)  # a Wednesday: no sample cron fires
OVERDUE_AT = WINDOW_OPENS - dt.timedelta(minutes=5)  # the timer the restarted process claims
RESTART_AT = WINDOW_OPENS - dt.timedelta(seconds=30)
READY_LEAD = dt.timedelta(seconds=2)  # the window opens this long after the worker is ready
SCHEDULE_CHUNK = 10_000
PROCESS_TIMEOUT_S = 3600.0
GOAL_P99_S = 1.0
GOAL_RESTART_S = 5.0
GOAL_PEAK_MIB = 300.0
Number = TypeVar("Number", int, float)


class ShiftedClock:
    """Wall time plus a constant: the engine's ``Clock`` for a window fixed in the future."""

    def __init__(self, reading: dt.datetime) -> None:
        self._offset = dt.timedelta()
        self.pin(reading)

    def pin(self, reading: dt.datetime) -> None:
        """Make ``now()`` read ``reading`` at this instant; from then on it runs with the wall."""
        self._offset = reading - dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self._offset


class CountingChat:
    """A chat port that only counts, and says when ``expected`` messages have arrived.

    With ``finds_earlier_posts`` it stands for Slack's adapter, which finds an earlier post
    by its key itself (the bench is one process: its memory of keys is the whole truth);
    without, for a chat that needs the outbox's record of each post (the headless log)."""

    def __init__(self, expected: int, *, finds_earlier_posts: bool = True) -> None:
        self.finds_earlier_posts = finds_earlier_posts
        self.expected = expected
        self.posted = 0
        self.all_posted = threading.Event()
        self._lock = threading.Lock()
        self._keys = PostedKeys()

    def post(self, message: Message, *, key: str) -> MessageRef:
        return self._keys.post_once(key, lambda: self._count(message))

    def _count(self, message: Message) -> MessageRef:
        with self._lock:
            self.posted += 1
            if self.posted >= self.expected:
                self.all_posted.set()
            return MessageRef(to=message.to, id=f"bench-{self.posted}")

    def update(self, ref: MessageRef, message: Message) -> None:
        """Timers of this benchmark never replace a card."""


def open_worker(url: str, clock: ShiftedClock, chat: CountingChat, worker_id: str) -> Engine:
    """A sopbot engine exactly as a process starting up builds one (schema check included)."""
    settings = Settings(database_url=url, worker_id=worker_id)
    return assemble(settings, clock=clock, chat=lambda _database, _directory: chat).engine


# --- setup -----------------------------------------------------------------------------------


def schedule_timers(url: str, count: int, window: dt.timedelta) -> None:
    """One overdue message timer, then ``count`` spread evenly over ``window``."""
    database = Database(url)
    database.upgrade()
    payload = {"message": message_to_json(Message(to="C02SUPPORT", text="benchmark tick"))}
    created = OVERDUE_AT - dt.timedelta(minutes=1)
    with database.session() as session:
        timers.schedule(
            session, kind=TimerKind.NOTIFY, due_at=OVERDUE_AT, now=created, payload=payload
        )
    for first in range(0, count, SCHEDULE_CHUNK):
        with database.session() as session:
            for index in range(first, min(count, first + SCHEDULE_CHUNK)):
                due_at = WINDOW_OPENS + window * index / count
                timers.schedule(
                    session, kind=TimerKind.NOTIFY, due_at=due_at, now=created, payload=payload
                )
    database.dispose()


# --- the two processes -----------------------------------------------------------------------


Report = dict[str, Any]


def restart_process(url: str, reports: multiprocessing.queues.Queue[Report]) -> None:
    """Open the database as a restarted sopbot, claim and handle the first due timer."""
    entered = time.time()
    try:
        chat = CountingChat(expected=1)
        engine = open_worker(url, ShiftedClock(RESTART_AT), chat, "bench-restart")
        wired = time.time()
        engine.worker.run_due(batch=1, max_rounds=1)
        claimed = time.time()
        engine.runtime.close()
        reports.put({"entered": entered, "wired": wired, "claimed": claimed, "posted": chat.posted})
    except Exception as error:
        reports.put({"failed": f"{type(error).__name__}: {error}"})


def firing_process(
    url: str, count: int, recorded: bool, reports: multiprocessing.queues.Queue[Report]
) -> None:
    """Serve the window with the APScheduler waker until every timer in it has fired."""
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # "skipped: already running"
    try:
        chat = CountingChat(expected=count, finds_earlier_posts=not recorded)
        clock = ShiftedClock(WINDOW_OPENS - READY_LEAD)
        engine = open_worker(url, clock, chat, "bench-timers")
        tally = SqlTally()
        with engine.runtime.database.session(read_only=True) as session:
            pending = timers.count_pending(session)
        clock.pin(WINDOW_OPENS - READY_LEAD)
        with tally.attached():
            waker = Waker(engine.run_due, lambda: next_claimable(engine), clock.now)
            waker.start()
            finished = chat.all_posted.wait(timeout=PROCESS_TIMEOUT_S)
            waker.stop()
        engine.runtime.close()
        reports.put(
            {
                "finished": finished,
                "posted": chat.posted,
                "pending_at_start": pending,
                "per_timer": tally.per(max(chat.posted, 1)),
                "slowest": tally.slowest_statements(6),
                "peak_mib": peak_rss_mib(),
            }
        )
    except Exception as error:
        reports.put({"failed": f"{type(error).__name__}: {error}"})


def next_claimable(engine: Engine) -> dt.datetime | None:
    """When the waker should wake next: a timer falls due or a lease runs out."""
    with engine.runtime.database.session(read_only=True) as session:
        return timers.next_claimable_at(session)


def in_fresh_process(target: Any, *args: Any) -> tuple[float, Report]:
    """Run ``target(*args, reports)`` in a new interpreter; when it began (epoch s), its report."""
    context = multiprocessing.get_context("spawn")
    reports: multiprocessing.queues.Queue[Report] = context.Queue()
    began = time.time()
    process = context.Process(target=target, args=(*args, reports))
    process.start()
    try:
        report = reports.get(timeout=PROCESS_TIMEOUT_S)
    except Exception:
        process.kill()
        raise BenchError(
            f"{target.__name__} did not report within {PROCESS_TIMEOUT_S:.0f} s"
        ) from None
    process.join(timeout=60)
    if "failed" in report:
        raise BenchError(f"{target.__name__} failed: {report['failed']}")
    return began, report


# --- results ---------------------------------------------------------------------------------


def lateness_seconds(url: str) -> tuple[list[float], float]:
    """``fired_at - due_at`` of every fired timer in the window, ascending, and the seconds
    from the window opening until the last one fired."""
    database = Database(url)
    with database.session(read_only=True) as session:
        rows = session.execute(
            select(Timer.due_at, Timer.fired_at).where(
                Timer.kind == TimerKind.NOTIFY,
                Timer.status == "done",
                Timer.due_at >= WINDOW_OPENS,
            )
        ).all()
    database.dispose()
    fired = [(due, fired) for due, fired in rows if fired is not None]
    if not fired:
        raise BenchError("no timer in the window fired")
    last = max(moment for _, moment in fired)
    lateness = sorted((moment - due).total_seconds() for due, moment in fired)
    return lateness, (last - WINDOW_OPENS).total_seconds()


def verdict(value: float, goal: float) -> str:
    return "met" if value <= goal else f"missed by {value / goal:.1f}x"


def print_results(
    count: int, window: float, restart: tuple[float, Report], firing: Report, url: str
) -> None:
    late, busy = lateness_seconds(url)
    began, probe = restart
    ready = probe["claimed"] - began
    p99 = percentile(late, 0.99)
    print(
        f"\n{count:,} timers due over {window:g} s; the worker started with "
        f"{firing['pending_at_start']:,} pending and fired {len(late):,} of them"
    )
    print_table(
        ["figure", "measured", "goal", "verdict"],
        [
            ["lateness p50", f"{percentile(late, 0.50):.3f} s", "", ""],
            ["lateness p95", f"{percentile(late, 0.95):.3f} s", "", ""],
            ["lateness p99", f"{p99:.3f} s", f"<= {GOAL_P99_S:g} s", verdict(p99, GOAL_P99_S)],
            ["lateness max", f"{late[-1]:.3f} s", "", ""],
            [
                "restart to ready",
                f"{ready:.2f} s",
                f"<= {GOAL_RESTART_S:g} s",
                verdict(ready, GOAL_RESTART_S),
            ],
            [
                "worker peak RSS",
                f"{firing['peak_mib']:.0f} MiB",
                f"<= {GOAL_PEAK_MIB:g} MB",
                verdict(firing["peak_mib"], GOAL_PEAK_MIB),
            ],
        ],
    )
    print(
        f"restart: {probe['entered'] - began:.2f} s to start Python and import, "
        f"{probe['wired'] - probe['entered']:.2f} s to open the database and build the engine, "
        f"{probe['claimed'] - probe['wired']:.3f} s to claim and handle the first timer"
    )
    print(
        f"throughput: {len(late) / busy:,.0f} timers/s, the last fired {busy:.1f} s after the "
        f"window opened ({count / window:,.0f}/s needed)"
    )
    print("\nSQL per timer in the worker:")
    print_table(
        ["issued by", "statements", "write commits", "read commits"],
        [
            [who, f"{statements:.2f}", f"{writes:.2f}", f"{reads:.2f}"]
            for who, (statements, writes, reads) in firing["per_timer"].items()
        ],
    )
    print("\nslowest statements in the worker (time inside the driver):")
    print_table(
        ["statement", "total s", "calls", "ms/call"],
        [
            [shape, f"{seconds:.1f}", f"{calls:,}", f"{1000 * seconds / calls:.3f}"]
            for _, shape, seconds, calls in firing["slowest"]
        ],
    )


# --- command line ----------------------------------------------------------------------------


@contextmanager
def bench_database(postgres: str | None) -> Iterator[str]:
    """A scratch database: a SQLite file by default, or one on the given PostgreSQL server."""
    if postgres is None:
        with scratch_directory() as directory:
            yield sqlite_url(directory / "timers.db")
        return
    with scratch_postgres(postgres_admin_url(postgres), "timers") as url:
        yield url.render_as_string(hide_password=False)


def positive(convert: Callable[[str], Number]) -> Callable[[str], Number]:
    """An argparse type: ``convert``, then refuse zero and below with a clear message."""

    def parse(text: str) -> Number:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} must be above 0")
        return value

    return parse


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--timers", type=positive(int), default=100_000, help="(100000)")
    parser.add_argument(
        "--window", type=positive(float), default=40.0, help="seconds they fall due over (40)"
    )
    parser.add_argument("--postgres", help="run on a scratch database on this server")
    parser.add_argument(
        "--recorded-posts",
        action="store_true",
        help="a chat that needs the outbox's record of each post, as the headless worker's "
        "log does (default: one that finds an earlier post by its key, as Slack's does)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    count, window = arguments.timers, arguments.window
    print(f"machine: {machine_line()}")
    with bench_database(arguments.postgres) as url:
        began = time.perf_counter()
        schedule_timers(url, count, dt.timedelta(seconds=window))
        print(f"setup: {count:,} timers scheduled in {time.perf_counter() - began:.1f} s")
        restart = in_fresh_process(restart_process, url)
        if restart[1]["posted"] != 1:
            raise BenchError("the restarted process did not handle the overdue timer")
        _, firing = in_fresh_process(firing_process, url, count, arguments.recorded_posts)
        if not firing["finished"]:
            print(f"only {firing['posted']:,} of {count:,} timers fired within the time limit")
        print_results(count, window, restart, firing, url)
    print(f"\nmachine afterwards: {machine_line()}")
    return 0


if __name__ == "__main__":
    run_cli(main)
