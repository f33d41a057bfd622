"""What both benchmarks share: scratch databases, SQL tallies, the machine line and tables.

Benchmarks print figures a person compares with goals, so every helper here keeps them
honest: durable settings left as production has them, scratch data removed afterwards,
and a failure reported as one readable line instead of a traceback.
"""

from __future__ import annotations

import math
import os
import platform
import resource
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL

from storage.engines import parse_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


class BenchError(Exception):
    """A problem the person running the benchmark can fix (a URL, a server that is down)."""


def run_cli(main: Callable[[], int]) -> None:
    """Run ``main`` and exit with its code; a ``BenchError`` is one line on stderr, not a trace."""
    try:
        code = main()
    except BenchError as error:
        sys.stderr.write(f"error: {error}\n")
        code = 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        code = 130
    sys.exit(code)


def machine_line() -> str:
    """Cores, memory, Python and the load right now: shared machines make figures noisy."""
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, {memory_gib:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()}; load average {load}"
    )


def peak_rss_mib() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def scratch_directory() -> Iterator[Path]:
    """A temporary directory for SQLite files, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="sopbot-bench-") as directory:
        yield Path(directory)


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def postgres_admin_url(url: str) -> URL:
    """The ``--postgres`` URL, checked: it must name a PostgreSQL server."""
    try:
        parsed = parse_url(url)
    except ValueError as error:
        raise BenchError(str(error)) from None
    if parsed.get_backend_name() != "postgresql":
        raise BenchError(f"--postgres needs a postgresql:// URL, not {url!r}")
    return parsed


def libpq_url(url: URL) -> str:
    """The same database as a plain ``postgresql://`` URL (psycopg and DBOS take this form)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def require_postgres(admin_url: URL) -> None:
    """Fail early, before minutes of SQLite work, when the server cannot be reached."""
    with _admin_engine(admin_url) as admin, admin.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


@contextmanager
def scratch_postgres(admin_url: URL, label: str) -> Iterator[URL]:
    """A new, empty PostgreSQL database (durable commits, as production), dropped afterwards."""
    name = f"sopbot_bench_{label}_{uuid.uuid4().hex[:8]}"
    with _admin_engine(admin_url) as admin:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.set(database=name)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def _admin_engine(admin_url: URL) -> Iterator[Engine]:
    """An autocommit engine on the server; a server that refuses us is a ``BenchError``."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except Exception as error:
        admin.dispose()
        shown = admin_url.render_as_string(hide_password=True)
        raise BenchError(
            f"PostgreSQL at {shown} is not usable ({type(error).__name__}); start it or pass "
            "--postgres URL"
        ) from None
    try:
        yield admin
    finally:
        admin.dispose()


@dataclass
class SqlTally:
    """Statements and commits seen by every SQLAlchemy engine while attached, by part.

    ``part(connection)`` names who ran the statement (the engine, the tool thread). A commit
    counts as a write commit when its transaction ran an INSERT, UPDATE or DELETE: those
    are the commits that must reach the disk.
    """

    part: Callable[[Any], str] = lambda _connection: "all"
    statements: Counter[str] = field(default_factory=Counter)
    write_commits: Counter[str] = field(default_factory=Counter)
    read_commits: Counter[str] = field(default_factory=Counter)
    statement_seconds: dict[tuple[str, str], float] = field(default_factory=dict)
    statement_calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    _writing: dict[int, bool] = field(default_factory=dict)
    _started: dict[int, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def attached(self) -> Iterator[SqlTally]:
        """Count while the block runs."""
        listeners: list[tuple[str, Callable[..., None]]] = [
            ("before_cursor_execute", self._before),
            ("after_cursor_execute", self._after),
            ("commit", self._commit),
            ("rollback", self._rollback),
        ]
        for name, listener in listeners:
            event.listen(Engine, name, listener)
        try:
            yield self
        finally:
            for name, listener in listeners:
                event.remove(Engine, name, listener)

    def per(self, count: int) -> dict[str, tuple[float, float, float]]:
        """Per unit of work (e.g. per run): part → (statements, write commits, read commits)."""
        parts = sorted(set(self.statements) | set(self.write_commits) | set(self.read_commits))
        return {
            part: (
                self.statements[part] / count,
                self.write_commits[part] / count,
                self.read_commits[part] / count,
            )
            for part in parts
        }

    def slowest_statements(self, limit: int) -> list[tuple[str, str, float, int]]:
        """The statement shapes that took the most time in the driver.

        Each is (part, shape, seconds, calls).
        """
        ranked = sorted(self.statement_seconds.items(), key=lambda item: -item[1])[:limit]
        return [(*key, seconds, self.statement_calls[key]) for key, seconds in ranked]

    def _before(self, connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with self._lock:
            self.statements[self.part(connection)] += 1
            key = id(connection)
            self._started[key] = time.perf_counter()
            if statement.lstrip().upper().startswith(_WRITE_VERBS):
                self._writing[key] = True

    def _after(self, connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with self._lock:
            started = self._started.pop(id(connection), None)
            if started is not None:
                key = (self.part(connection), statement_shape(statement))
                elapsed = time.perf_counter() - started
                self.statement_seconds[key] = self.statement_seconds.get(key, 0.0) + elapsed
                self.statement_calls[key] += 1

    def _commit(self, connection: Any) -> None:
        with self._lock:
            wrote = self._writing.pop(id(connection), False)
            (self.write_commits if wrote else self.read_commits)[self.part(connection)] += 1

    def _rollback(self, connection: Any) -> None:
        with self._lock:
            self._writing.pop(id(connection), None)


def statement_shape(statement: str) -> str:
    """A statement without its values: its verb and first words, enough to tell queries apart."""
    words = statement.split()
    return " ".join(words[:6])[:80]


def percentile(ordered: Sequence[float], share: float) -> float:
    """The value at ``share`` (0..1) of an ascending list (nearest rank)."""
    if not ordered:
        raise ValueError("no values")
    rank = min(len(ordered), max(1, math.ceil(share * len(ordered))))
    return ordered[rank - 1]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain, aligned table (also pastes into Markdown after a header line)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for line in (headers, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
