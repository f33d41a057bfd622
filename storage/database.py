"""One database handle for SQLite (default, one file, WAL) or PostgreSQL (by URL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from storage import migrate, redaction
from storage.engines import SQLITE_BUSY_TIMEOUT_MS, build_engine, parse_url, read_only, relaxed

IN_MEMORY_SQLITE = (None, "", ":memory:")
_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(path: str) -> threading.RLock:
    """One queue per SQLite file for this process's writing transactions.

    SQLite's own busy handler has a waiting writer sleep and retry (up to 100 ms a time),
    so with many threads writing, one that keeps missing the free moments waits for
    seconds; queued here, the next writer starts the moment the last one commits. Only
    other processes meet SQLite's busy handler.
    """
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(str(Path(path).resolve()), threading.RLock())


class Database:
    """Owns the SQLAlchemy engine, keeps the schema current, and hands out transactions.

    ``ValueError`` with a readable message for a URL sopbot cannot use.
    """

    def __init__(self, url: str) -> None:
        self.url = parse_url(url)
        if self.url.get_backend_name() == "sqlite" and self.url.database not in IN_MEMORY_SQLITE:
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = build_engine(self.url)
        redaction.install(self.engine)  # no secret is ever written, whoever writes
        self._read_engine = read_only(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)
        self._relaxed_sessions = sessionmaker(relaxed(self.engine), expire_on_commit=False)
        sqlite_file = self.dialect == "sqlite" and self.url.database not in IN_MEMORY_SQLITE
        self._writers = _writer_lock(str(self.url.database)) if sqlite_file else None

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def upgrade(self) -> None:
        """Bring the schema to the newest migration; safe at every start, from many processes."""
        migrate.upgrade_to_head(self.engine)

    def current_revision(self) -> str | None:
        """The migration the database is at, or None before the first ``upgrade``."""
        return migrate.current_revision(self._read_engine)

    @contextmanager
    def session(self, *, read_only: bool = False, durable: bool = True) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises.

        Claims and compare-and-set updates need the default (on SQLite it holds the write
        lock from the start). ``read_only=True`` is for queries that must not wait behind
        writers, such as status pages; any write in it fails. ``durable=False`` is for
        records whose loss in a machine crash costs only a repeat that is safe (where a
        chat message landed): their commit does not wait for the disk.
        """
        if read_only:
            sessions = self._read_sessions
        else:
            sessions = self._sessions if durable else self._relaxed_sessions
        # past the busy timeout in line, the writer goes on to SQLite's own wait (and error)
        writers = None if read_only else self._writers
        queued = writers is not None and writers.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            with sessions() as session, session.begin():
                if not durable and self.dialect == "postgresql":
                    session.execute(text("SET LOCAL synchronous_commit = off"))
                yield session
        finally:
            if queued and writers is not None:
                writers.release()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
