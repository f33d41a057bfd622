"""sopbot's engine against DBOS 3.4 and raw commits: durable SOP steps per second.

    .venv/bin/python bench/engine.py [--runs N] [--rounds R] [--postgres URL]
                                     [--skip-postgres] [--profile]

The workload is one 3-step SOP (read an order, decide, write a CRM note) run to the end,
one run after another. DBOS runs the same three steps as ``@DBOS.step``s of one workflow,
its write an equivalent INSERT. The systems take turns in rounds, so load from other
processes on the machine falls on all of them alike. Then the same on PostgreSQL, where
sopbot drains runs started up front with two worker processes.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import multiprocessing.queues
import pstats
import sqlite3
import textwrap
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import psycopg
from _common import (
    DEFAULT_POSTGRES_URL,
    BenchError,
    SqlTally,
    libpq_url,
    machine_line,
    postgres_admin_url,
    print_table,
    require_postgres,
    run_cli,
    scratch_directory,
    scratch_postgres,
    sqlite_url,
)
from dbos import DBOS
from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import URL

from bot.engine.engine import Engine as SopEngine
from bot.harness import Harness
from bot.procedure.loader import LoadedSop, load_text
from storage import timers
from storage.database import Database
from storage.models import Run, SandboxCall

STEPS_PER_RUN = 3
ORDER_ID = "1043"  # 120 USD: the decision goes to the note, as in DBOS's workflow
STARTER = "U02DEV"
THREAD = {"to": "C02SUPPORT"}
WARM_UP_RUNS = 10
COUNTED_RUNS = 50
PROFILED_RUNS = 100
POSTGRES_WORKERS = 2
WORKER_TIMEOUT_S = 600.0
GOAL_VERSUS_DBOS = 10.0
GOAL_VERSUS_RAW = 0.20

BENCH_SOP = textwrap.dedent(
    """\
    id: bench-note
    title: Benchmark note
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: bench}
    inputs:
      order_id: {type: string}
    permissions:
      allow: [crm.add_note]
    steps:
      - id: look_up
        action: crm.get_order
        with: {order_id: "{{ inputs.order_id }}"}
        save_as: order
        on_failure: {then: escalate}
      - id: route
        decide:
          - when: order.total > 1000
            goto: too_big
        otherwise: note
      - id: note
        action: crm.add_note
        with:
          object_type: account
          object_id: "{{ order.account_id }}"
          body: "checked order {{ order.id }}"
        on_failure: {then: escalate}
        next: done
      - id: too_big
        end: failed
        message: too big for the benchmark
      - id: done
        end: completed
    """
)


def bench_sop() -> LoadedSop:
    """The benchmark SOP, loaded as the library serves it."""
    loaded = load_text(BENCH_SOP, "sops/bench-note.yml")
    if loaded.procedure is None or loaded.diagnostics:
        problems = "; ".join(diagnostic.render() for diagnostic in loaded.diagnostics)
        raise BenchError(f"the benchmark SOP no longer loads: {problems}")
    return loaded


class Workload(Protocol):
    """One system under test: ``batch`` does ``count`` units of work and returns the seconds."""

    name: str
    unit: str
    work_per_item: int

    def batch(self, count: int) -> float: ...

    def check(self) -> None: ...


# --- sopbot -------------------------------------------------------------------------------


def start_run(engine: SopEngine, thread: dict[str, str] | None, *, inline: bool) -> None:
    """Start one benchmark run as a Slack command would; ``inline`` advances it right away."""
    engine.start(
        "bench-note",
        {"order_id": ORDER_ID},
        inline=inline,
        started_by=STARTER,
        thread=thread,
        interactive=False,
    )


@dataclass
class SopbotRuns:
    """sopbot on the sandbox tools: start a run, then ``run_due`` until it has finished."""

    harness: Harness
    name: str = "sopbot"
    unit: str = "steps/s"
    work_per_item: int = STEPS_PER_RUN
    thread: dict[str, str] | None = field(default_factory=lambda: dict(THREAD))
    started: int = 0

    def batch(self, count: int) -> float:
        engine = self.harness.engine
        began = time.perf_counter()
        for _ in range(count):
            start_run(engine, self.thread, inline=True)
            engine.run_due()
        self.started += count
        return time.perf_counter() - began

    def check(self) -> None:
        check_sopbot(self.harness.database, self.started, self.name)


def check_sopbot(database: Database, started: int, name: str) -> None:
    """Every run completed and wrote its note exactly once at the tool."""
    with database.session(read_only=True) as session:
        completed = session.scalar(
            select(func.count()).select_from(Run).where(Run.status == "completed")
        )
        notes = session.scalar(
            select(func.count())
            .select_from(SandboxCall)
            .where(SandboxCall.operation == "crm.add_note")
        )
    if completed != started or notes != started:
        raise BenchError(
            f"{name}: {completed} of {started} runs completed with {notes} notes written"
        )


def open_sopbot(url: str, worker_id: str) -> Harness:
    """sopbot wired as the harness wires it, serving the benchmark SOP on ``url``."""
    database = Database(url)
    database.upgrade()
    return Harness.open(database, [bench_sop()], worker_id=worker_id)


def close_sopbot(harness: Harness) -> None:
    """Stop the tool threads and close the database."""
    harness.close()
    harness.database.dispose()


# --- sopbot on PostgreSQL: runs started up front, drained by worker processes ------------------


def drain(engine: SopEngine, database: Database) -> int:
    """Do due work until no timer is left pending; the timers handled."""
    handled = 0
    while True:
        done_now = engine.run_due()
        handled += done_now
        if done_now:
            continue
        with database.session(read_only=True) as session:
            if timers.count_pending(session) == 0:
                return handled


def worker_process(
    url: str,
    index: int,
    orders: multiprocessing.queues.Queue[str],
    reports: multiprocessing.queues.Queue[tuple[str, int, str]],
) -> None:
    """A sopbot worker process: drain whenever told to, until told to stop."""
    try:
        harness = open_sopbot(url, f"bench-worker-{index}")
        reports.put(("ready", index, ""))
        while orders.get() == "drain":
            handled = drain(harness.engine, harness.database)
            reports.put(("drained", index, str(handled)))
        close_sopbot(harness)
    except Exception as error:  # the parent prints it; a worker never dies silently
        reports.put(("failed", index, f"{type(error).__name__}: {error}"))


@dataclass
class SopbotWorkers:
    """Runs started in this process, then drained by worker processes on PostgreSQL."""

    starter: Harness
    url: str
    workers: int
    name: str = "sopbot"
    unit: str = "steps/s"
    work_per_item: int = STEPS_PER_RUN
    started: int = 0
    start_seconds: float = 0.0
    _orders: list[multiprocessing.queues.Queue[str]] = field(default_factory=list)
    _reports: multiprocessing.queues.Queue[tuple[str, int, str]] | None = None
    _processes: list[multiprocessing.process.BaseProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.name = f"sopbot, {self.workers} workers"
        context = multiprocessing.get_context("spawn")
        self._reports = context.Queue()
        for index in range(self.workers):
            orders: multiprocessing.queues.Queue[str] = context.Queue()
            process = context.Process(
                target=worker_process, args=(self.url, index, orders, self._reports)
            )
            process.start()
            self._orders.append(orders)
            self._processes.append(process)
        self._await_all("ready")

    def batch(self, count: int) -> float:
        began = time.perf_counter()
        for _ in range(count):
            start_run(self.starter.engine, dict(THREAD), inline=False)
        self.start_seconds += time.perf_counter() - began
        self.started += count
        began = time.perf_counter()
        for orders in self._orders:
            orders.put("drain")
        self._await_all("drained")
        return time.perf_counter() - began

    def check(self) -> None:
        check_sopbot(self.starter.database, self.started, self.name)

    def stop(self) -> None:
        for orders in self._orders:
            orders.put("stop")
        for process in self._processes:
            process.join(timeout=WORKER_TIMEOUT_S)

    def _await_all(self, expected: str) -> None:
        assert self._reports is not None
        for _ in range(self.workers):
            try:
                status, index, detail = self._reports.get(timeout=WORKER_TIMEOUT_S)
            except Exception:
                raise BenchError(f"a sopbot worker did not report '{expected}' in time") from None
            if status != expected:
                raise BenchError(f"sopbot worker {index} {status}: {detail}")


# --- DBOS ------------------------------------------------------------------------------------

app_metadata = MetaData()
orders_table = Table(
    "bench_orders",
    app_metadata,
    Column("id", String(20), primary_key=True),
    Column("total", Float),
    Column("account_id", String(50)),
)
notes_table = Table(
    "bench_notes",
    app_metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", String(50)),
    Column("body", String(200)),
)


class AppTables:
    """DBOS's application data: one order to read, notes to write (one commit each)."""

    current: AppTables | None = None  # the steps below are module functions, as DBOS wants

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _durable_sqlite)
        app_metadata.create_all(self.engine)
        with self.engine.begin() as connection:
            connection.execute(
                insert(orders_table).values(id=ORDER_ID, total=120.0, account_id="initech")
            )

    def order(self, order_id: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(orders_table).where(orders_table.c.id == order_id)
            ).one()
        return dict(row._mapping)

    def add_note(self, account_id: str, body: str) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(notes_table).values(account_id=account_id, body=body)
            )
        key = result.inserted_primary_key
        if key is None:
            raise BenchError("the note INSERT returned no id")
        return int(key[0])

    def notes(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(notes_table)) or 0)

    @staticmethod
    def active() -> AppTables:
        if AppTables.current is None:
            raise BenchError("DBOS steps ran before their tables were opened")
        return AppTables.current


def _durable_sqlite(connection: Any, _record: Any) -> None:
    """WAL and synchronous=FULL, as sopbot runs SQLite (WAL stays set on the file)."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=10000")


@DBOS.step()
def dbos_look_up(order_id: str) -> dict[str, Any]:
    return AppTables.active().order(order_id)


@DBOS.step()
def dbos_route(order: dict[str, Any]) -> str:
    return "too_big" if order["total"] > 1000 else "note"


@DBOS.step()
def dbos_note(account_id: str, body: str) -> int:
    return AppTables.active().add_note(account_id, body)


@DBOS.workflow()
def dbos_bench_workflow(order_id: str) -> str:
    order = dbos_look_up(order_id)
    if dbos_route(order) == "too_big":
        return "failed"
    dbos_note(order["account_id"], f"checked order {order['id']}")
    return "completed"


@dataclass
class DbosRuns:
    """DBOS running the workflow synchronously, one after another."""

    tables: AppTables
    name: str = "DBOS 3.4"
    unit: str = "steps/s"
    work_per_item: int = STEPS_PER_RUN
    started: int = 0

    def batch(self, count: int) -> float:
        began = time.perf_counter()
        for _ in range(count):
            dbos_bench_workflow(ORDER_ID)
        self.started += count
        return time.perf_counter() - began

    def check(self) -> None:
        written = self.tables.notes()
        if written != self.started:
            raise BenchError(f"DBOS: {written} notes for {self.started} workflows")


@contextmanager
def launched_dbos(system_url: str, app_url: str) -> Iterator[DbosRuns]:
    """DBOS launched on ``system_url`` with its application tables at ``app_url`` (SQLAlchemy)."""
    tables = AppTables(app_url)  # first, so a SQLite file is already in WAL mode
    AppTables.current = tables
    DBOS(
        config={
            "name": "sopbot-bench",
            "system_database_url": system_url,
            "application_version": "bench",
            "log_level": "WARNING",
        }
    )
    DBOS.launch()
    try:
        yield DbosRuns(tables)
    finally:
        DBOS.destroy()
        AppTables.current = None
        tables.engine.dispose()


# --- raw commits -----------------------------------------------------------------------------


class RawSqlite:
    """One small INSERT per transaction, WAL and synchronous=FULL: the disk's ceiling."""

    name = "raw SQLite"
    unit = "commits/s"
    work_per_item = 1

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None)
        _durable_sqlite(self._connection, None)
        self._connection.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, value TEXT)")

    def batch(self, count: int) -> float:
        began = time.perf_counter()
        for _ in range(count):
            self._connection.execute("BEGIN IMMEDIATE")
            self._connection.execute("INSERT INTO raw (value) VALUES ('x')")
            self._connection.execute("COMMIT")
        return time.perf_counter() - began

    def check(self) -> None:
        """Nothing to check: a failed commit raised already."""

    def close(self) -> None:
        self._connection.close()


class RawPostgres:
    """One small INSERT per transaction on PostgreSQL (synchronous_commit as configured)."""

    name = "raw PostgreSQL"
    unit = "commits/s"
    work_per_item = 1

    def __init__(self, url: URL) -> None:
        self._connection = psycopg.connect(libpq_url(url))
        self._connection.execute("CREATE TABLE raw (id BIGSERIAL PRIMARY KEY, value TEXT)")
        self._connection.commit()

    def batch(self, count: int) -> float:
        began = time.perf_counter()
        for _ in range(count):
            self._connection.execute("INSERT INTO raw (value) VALUES ('x')")
            self._connection.commit()
        return time.perf_counter() - began

    def check(self) -> None:
        """Nothing to check: a failed commit raised already."""

    def close(self) -> None:
        self._connection.close()


# --- rounds and results ----------------------------------------------------------------------


@dataclass
class Series:
    """The rounds of one workload: work done and seconds taken in each."""

    workload: Workload
    rounds: list[tuple[int, float]] = field(default_factory=list)

    def rate(self) -> float:
        return sum(work for work, _ in self.rounds) / sum(seconds for _, seconds in self.rounds)

    def spread(self) -> str:
        rates = [work / seconds for work, seconds in self.rounds]
        return f"{min(rates):,.0f} to {max(rates):,.0f}"


def take_turns(workloads: Sequence[tuple[Workload, int]], rounds: int) -> list[Series]:
    """Each workload does its share in turn, ``rounds`` times; then each is checked."""
    results = [Series(workload) for workload, _ in workloads]
    for _ in range(rounds):
        for series, (workload, items) in zip(results, workloads, strict=True):
            seconds = workload.batch(items)
            series.rounds.append((items * workload.work_per_item, seconds))
    for workload, _ in workloads:
        workload.check()
    return results


def report(title: str, results: Sequence[Series]) -> dict[str, float]:
    """Print the rates and the ratios against the goals; the rates by name."""
    print(f"\n{title}")
    print_table(
        ["system", "rate", "unit", "per round"],
        [
            [series.workload.name, f"{series.rate():,.0f}", series.workload.unit, series.spread()]
            for series in results
        ],
    )
    return {series.workload.name: series.rate() for series in results}


def print_ratios(sopbot: float, dbos: float, raw: float, raw_name: str) -> None:
    versus_dbos = sopbot / dbos
    versus_raw = sopbot / raw
    print(
        f"sopbot/DBOS = {versus_dbos:.2f}x (goal >= {GOAL_VERSUS_DBOS:.0f}x: "
        f"{_verdict(versus_dbos, GOAL_VERSUS_DBOS)})"
    )
    print(
        f"sopbot/{raw_name} = {versus_raw:.1%} (goal >= {GOAL_VERSUS_RAW:.0%}: "
        f"{_verdict(versus_raw, GOAL_VERSUS_RAW)})"
    )


def _verdict(value: float, goal: float) -> str:
    return "met" if value >= goal else f"missed by {goal / value:.1f}x"


# --- the phases ------------------------------------------------------------------------------


def sqlite_phase(directory: Path, runs: int, rounds: int, commits: int) -> None:
    sopbot = open_sopbot(sqlite_url(directory / "sopbot.db"), "bench")
    raw = RawSqlite(directory / "raw.db")
    dbos_file = sqlite_url(directory / "dbos.sqlite")
    try:
        with launched_dbos(dbos_file, dbos_file) as dbos:
            ours = SopbotRuns(sopbot)
            for workload, items in ((ours, WARM_UP_RUNS), (dbos, WARM_UP_RUNS), (raw, 50)):
                workload.batch(items)
            results = take_turns(
                [(ours, runs // rounds), (dbos, runs // rounds), (raw, commits // rounds)], rounds
            )
            rates = report(
                f"SQLite (WAL, synchronous=FULL), sequential, {runs} runs of {STEPS_PER_RUN} steps",
                results,
            )
            print_ratios(rates[ours.name], rates[dbos.name], rates[raw.name], raw.name)
            counts_per_run(sopbot, dbos)
    finally:
        raw.close()
        close_sopbot(sopbot)


def postgres_phase(admin_url: URL, runs: int, rounds: int, commits: int) -> None:
    with (
        scratch_postgres(admin_url, "sopbot") as sopbot_url,
        scratch_postgres(admin_url, "dbos") as dbos_url,
    ):
        starter = open_sopbot(sopbot_url.render_as_string(hide_password=False), "bench-starter")
        raw = RawPostgres(dbos_url)
        pool: SopbotWorkers | None = None
        try:
            app_url = dbos_url.render_as_string(hide_password=False)
            with launched_dbos(libpq_url(dbos_url), app_url) as dbos:
                pool = SopbotWorkers(
                    starter, sopbot_url.render_as_string(hide_password=False), POSTGRES_WORKERS
                )
                for workload, items in ((pool, WARM_UP_RUNS), (dbos, WARM_UP_RUNS), (raw, 50)):
                    workload.batch(items)
                pool.start_seconds = 0.0
                results = take_turns(
                    [(pool, runs // rounds), (dbos, runs // rounds), (raw, commits // rounds)],
                    rounds,
                )
                rates = report(
                    f"PostgreSQL: sopbot drains runs started up front with {POSTGRES_WORKERS} "
                    "worker processes; DBOS sequential",
                    results,
                )
                print_ratios(rates[pool.name], rates[dbos.name], rates[raw.name], raw.name)
                print(
                    f"(starting the {runs} runs beforehand took {pool.start_seconds:.1f} s, "
                    f"{runs / pool.start_seconds:,.0f} starts/s, not counted above)"
                )
        finally:
            if pool is not None:
                pool.stop()
            raw.close()
            close_sopbot(starter)


def counts_per_run(sopbot: Harness, dbos: DbosRuns) -> None:
    """Statements and commits per run, by who issued them (counted apart from the timing)."""
    print(
        f"\nSQL per run ({COUNTED_RUNS} runs each; a write commit is one that must reach the disk)"
    )
    rows: list[list[str]] = []
    tallies: list[SqlTally] = []
    ours = sopbot.database.engine.url

    def sopbot_part(connection: Any) -> str:
        if connection.engine.url != ours:
            return "DBOS in the background"
        return "sandbox tool" if threading.current_thread().name.startswith("tool") else "engine"

    for label, workload, part in (
        ("sopbot", SopbotRuns(sopbot), sopbot_part),
        ("sopbot, no thread messages", SopbotRuns(sopbot, thread=None), sopbot_part),
        ("DBOS 3.4", dbos, _dbos_part),
    ):
        tally = SqlTally(part=part)
        with tally.attached():
            workload.batch(COUNTED_RUNS)
        tallies.append(tally)
        for who, (statements, writes, reads) in tally.per(COUNTED_RUNS).items():
            rows.append([label, who, f"{statements:.1f}", f"{writes:.1f}", f"{reads:.1f}"])
    print_table(["system", "issued by", "statements", "write commits", "read commits"], rows)
    print("\nsopbot's statements per run, by shape (time inside the SQLite driver)")
    print_table(
        ["issued by", "statement", "calls/run", "ms/run"],
        [
            [who, shape, f"{calls / COUNTED_RUNS:.1f}", f"{1000 * seconds / COUNTED_RUNS:.2f}"]
            for who, shape, seconds, calls in tallies[0].slowest_statements(40)
        ],
    )


def _dbos_part(connection: Any) -> str:
    tables = AppTables.current
    return "app tables" if tables is not None and connection.engine is tables.engine else "DBOS"


# --- profile ---------------------------------------------------------------------------------


def profile_phase(directory: Path) -> None:
    """cProfile of sopbot's run path (the main thread; the tool thread shows as a wait)."""
    harness = open_sopbot(sqlite_url(directory / "profiled.db"), "bench-profile")
    try:
        workload = SopbotRuns(harness)
        workload.batch(WARM_UP_RUNS)
        profiler = cProfile.Profile()
        profiler.enable()
        seconds = workload.batch(PROFILED_RUNS)
        profiler.disable()
    finally:
        close_sopbot(harness)
    stats = pstats.Stats(profiler)
    total = sum(entry[2] for entry in stats.stats.values())  # type: ignore[attr-defined]
    print(
        f"\nProfile: {PROFILED_RUNS} runs, {1000 * seconds / PROFILED_RUNS:.1f} ms per run "
        "under the profiler"
    )
    print_table(
        ["where the time goes (own time)", "share", "ms/run"],
        [
            [place, f"{own / total:.1%}", f"{1000 * own / PROFILED_RUNS:.2f}"]
            for place, own in time_by_place(stats)
        ],
    )
    print()
    print_table(
        ["sopbot function (cumulative)", "share", "calls/run"],
        [
            [where, f"{cumulative / total:.1%}", f"{calls / PROFILED_RUNS:.1f}"]
            for where, cumulative, calls in our_functions(stats)[:25]
        ],
    )


def time_by_place(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Own time grouped by library, by our package, and by the waits that matter."""
    places: dict[str, float] = {}
    for (filename, _line, function), entry in stats.stats.items():  # type: ignore[attr-defined]
        place = _place(filename, function)
        places[place] = places.get(place, 0.0) + entry[2]
    return sorted(places.items(), key=lambda item: -item[1])


_WAITS = {
    "<method 'commit' of 'sqlite3.Connection' objects>": "SQLite commit (fsync)",
    "<method 'execute' of 'sqlite3.Cursor' objects>": "SQLite statements",
    "<method 'acquire' of '_thread.lock' objects>": "waiting on the tool thread (lock)",
}


def _place(filename: str, function: str) -> str:
    if filename == "~":
        return _WAITS.get(function, "other built-ins")
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    relative = _repo_relative(filename)
    if relative is None:
        return "Python standard library"
    parts = relative.split("/")
    return "/".join(parts[:2]) if parts[0] == "bot" and len(parts) > 2 else parts[0]


def _repo_relative(filename: str) -> str | None:
    for package in ("/bot/", "/storage/"):
        if package in filename:
            return package[1:] + filename.split(package, 1)[1]
    return None


def our_functions(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    """sopbot's own functions by cumulative time, with their call counts."""
    found: list[tuple[str, float, int]] = []
    for (filename, line, function), entry in stats.stats.items():  # type: ignore[attr-defined]
        relative = _repo_relative(filename)
        if relative is not None and "site-packages/" not in filename:
            found.append((f"{relative}:{line} {function}", entry[3], entry[1]))
    return sorted(found, key=lambda item: -item[1])


# --- command line ----------------------------------------------------------------------------


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=positive, default=500, help="runs per system (500)")
    parser.add_argument("--rounds", type=positive, default=5, help="turns each system takes (5)")
    parser.add_argument("--commits", type=positive, default=2000, help="raw commits in all (2000)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES_URL, help="server for part 2")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--profile", action="store_true", help="also profile sopbot's run path")
    arguments = parser.parse_args(argv)
    if arguments.runs < arguments.rounds or arguments.commits < arguments.rounds:
        parser.error("--runs and --commits must be at least --rounds")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    admin_url = None if arguments.skip_postgres else postgres_admin_url(arguments.postgres)
    if admin_url is not None:
        require_postgres(admin_url)
    print(f"machine: {machine_line()}")
    with scratch_directory() as directory:
        sqlite_phase(directory, arguments.runs, arguments.rounds, arguments.commits)
        if arguments.profile:
            profile_phase(directory)
    if admin_url is not None:
        postgres_phase(admin_url, arguments.runs, arguments.rounds, arguments.commits)
    print(f"\nmachine afterwards: {machine_line()}")
    return 0


if __name__ == "__main__":
    run_cli(main)
