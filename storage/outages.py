"""Telling a database outage from a bug, and waiting one out.

A dropped connection, a server restarting, a pool with no free connection or a SQLite file
locked past the busy timeout say nothing about the run being worked on: the same work done
again a moment later succeeds. Such errors are retried, and never make a run fail.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import exc

log = logging.getLogger("sopbot.database")
T = TypeVar("T")
RETRY_DELAYS = (0.05, 0.2, 0.5, 1.0, 2.0, 4.0)
"""Seconds between tries of a transaction the database dropped: about 8 s in all."""


class DatabaseOutage(Exception):
    """The database could not be used for a while; the work in hand was not done."""


def is_outage(error: BaseException) -> bool:
    """Is ``error`` the database being unreachable or busy, rather than a statement's fault?"""
    if isinstance(error, DatabaseOutage | exc.OperationalError | exc.InterfaceError):
        return True
    if isinstance(error, exc.TimeoutError | exc.DisconnectionError):  # the pool, not the query
        return True
    return isinstance(error, exc.DBAPIError) and error.connection_invalidated


def describe(error: BaseException) -> str:
    """One line about an outage for logs and people: the kind of error, never its SQL."""
    if isinstance(error, exc.StatementError) and error.orig is not None:
        first = str(error.orig).strip().splitlines()
        return f"{type(error.orig).__name__}: {first[0]}" if first else type(error.orig).__name__
    first = str(error).strip().splitlines()
    return f"{type(error).__name__}: {first[0]}" if first else type(error).__name__


def retrying(
    work: Callable[[], T],
    *,
    what: str,
    delays: Sequence[float] = RETRY_DELAYS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``work()``, tried again after each delay while the database is out.

    ``work`` must be a whole transaction, safe to run again after a rollback. After the
    last delay, ``DatabaseOutage`` says the work was not done.
    """
    waits = iter(delays)
    while True:
        try:
            return work()
        except Exception as error:
            if not is_outage(error):
                raise
            delay = next(waits, None)
            if delay is None:
                raise DatabaseOutage(f"{what}: the database stayed unreachable") from error
            log.warning(
                "%s: database unreachable (%s); retrying in %gs", what, describe(error), delay
            )
            sleep(delay)
