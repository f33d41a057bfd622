"""Engines for the two supported backends, set up so that concurrent writers stay correct.

SQLite: WAL, durable commits, foreign keys, a busy timeout, and every writing transaction
takes the write lock at ``BEGIN IMMEDIATE``. A deferred transaction that reads and then
writes can fail outright in WAL mode when another process wrote in between; an immediate
one waits its turn instead. Read-only sessions use a plain ``BEGIN`` so status queries never
queue behind writers. PostgreSQL: psycopg 3, a bounded pool, and a ping before reuse so a
restarted server costs one reconnect instead of an error.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import time
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

READ_ONLY_OPTION = "sopbot_read_only"
"""Execution option that marks an engine's transactions as read-only (see ``read_only``)."""
RELAXED_OPTION = "sopbot_relaxed"
"""Execution option for commits that may be lost in an operating-system crash or a power
cut, though never in a process crash (see ``relaxed``)."""

SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite writer waits for the write lock by default; ``?timeout=SECONDS`` in the
URL (the sqlite3 module's own parameter) sets another."""
POSTGRES_POOL = {
    "pool_size": 5,
    "max_overflow": 10,
    "pool_timeout": 30,
    "pool_recycle": 1800,
    "pool_pre_ping": True,
}


def parse_url(url: str) -> URL:
    """The SQLAlchemy URL for ``url``; ``postgresql://`` means psycopg 3. Refuses the rest."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            f"not a database URL: {url!r} "
            "(expected sqlite:///path/to/file.db or postgresql://user@host/dbname)"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(
            f"unsupported database {parsed.get_backend_name()!r} in "
            f"{parsed.render_as_string(hide_password=True)!r}: sopbot runs on SQLite or PostgreSQL"
        )
    return parsed


def build_engine(url: URL) -> Engine:
    """An engine for ``url`` (already checked by ``parse_url``)."""
    if url.get_backend_name() == "postgresql":
        return create_engine(url, json_serializer=_strict_json, **POSTGRES_POOL)
    engine = create_engine(url, json_serializer=_strict_json)
    busy_ms = round(float(str(url.query.get("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000))) * 1000)
    event.listen(engine, "connect", functools.partial(_prepare_sqlite_connection, busy_ms))
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _strict_json(value: Any) -> str:
    """JSON as PostgreSQL accepts it, on both backends: NaN and infinity are refused here
    (``ValueError``) instead of being stored on SQLite and failing on PostgreSQL."""
    return json.dumps(value, allow_nan=False)


def read_only(engine: Engine) -> Engine:
    """The same pool, with transactions that refuse writes (and on SQLite take no lock)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(postgresql_readonly=True)
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def _prepare_sqlite_connection(busy_ms: int, connection: Any, _record: Any) -> None:
    connection.isolation_level = None  # the driver must not BEGIN on its own: we do
    cursor = connection.cursor()
    # the busy timeout first: switching to WAL needs a lock another process may hold
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """WAL mode, retried briefly: SQLite answers 'locked' at once, without the busy handler,
    when another process is opening or migrating the same new file."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def relaxed(engine: Engine) -> Engine:
    """The same pool, with commits that skip the wait for the disk: in WAL mode SQLite's
    ``synchronous=NORMAL`` and PostgreSQL's ``synchronous_commit=off`` keep a commit through
    a process crash and lose it only when the machine itself goes down."""
    return engine.execution_options(**{RELAXED_OPTION: True})


def _begin_sqlite_transaction(connection: Connection) -> None:
    options = connection.get_execution_options()
    reads_only = bool(options.get(READ_ONLY_OPTION, False))
    if connection.info.get("query_only") != reads_only:  # only when the pooled connection flips
        connection.exec_driver_sql(f"PRAGMA query_only={int(reads_only)}")
        connection.info["query_only"] = reads_only
    synchronous = "NORMAL" if options.get(RELAXED_OPTION, False) else "FULL"
    if connection.info.get("synchronous", "FULL") != synchronous:
        connection.exec_driver_sql(f"PRAGMA synchronous={synchronous}")
        connection.info["synchronous"] = synchronous
    connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")
