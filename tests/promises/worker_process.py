"""The worker process the promise tests start, kill and restart.

It is ``sopbot worker`` (``bot.cli.worker_cmd.run_worker``) on the SOPs in ``sops/`` next
to this file, with three differences: its clock is the test's ``SharedClock``, its log
(one line per chat message) goes to a file the test reads, and it may be told how to end:
by sending itself a signal just before one of its database commits.

SIGKILL there is a crash at a precise point. Every commit is a boundary between what a
crash keeps and what it loses (an intent journalled, a tool's write, a run's new state),
and a kill anywhere between two commits leaves the database exactly as a kill just before
the second one. So dying before a chosen commit reaches every crash window, the narrow
ones included, and the same choice reaches the same window again. SIGTERM there asks for
a graceful stop in the middle of work.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import faulthandler
import logging
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event

from bot.cli.worker_cmd import configure_logging, run_worker
from bot.config import Settings
from tests.promises.clock import SharedClock

SOPS_DIR = Path(__file__).parent / "sops"
LEASE = dt.timedelta(seconds=60)
POLL_SECONDS = 0.02
_TOOL_WRITE = "INSERT INTO sandbox_calls"


@dataclass(frozen=True)
class Ending:
    """Send ``signum`` just before commit number ``commit``, or just before the first
    commit after the tool's write number ``after_write`` (the tool acted; nothing else
    knows yet)."""

    signum: int
    commit: int | None = None
    after_write: int | None = None


def settings_for(database_url: str, worker_id: str, sops_dir: Path = SOPS_DIR) -> Settings:
    """The settings every process of a promise test uses (the test's own engine too)."""
    return Settings(
        database_url=database_url,
        sops_dir=sops_dir,
        worker_id=worker_id,
        lease_seconds=int(LEASE.total_seconds()),
    )


def serve(
    database_url: str,
    worker_id: str,
    seconds: ctypes.c_double,
    log_path: str,
    ending: Ending | None,
    sops_dir: Path = SOPS_DIR,
    env: dict[str, str] | None = None,
) -> None:
    """The body of one worker process: serve until SIGTERM (exit 0) or SIGKILL, on the SOPs
    in ``sops_dir``, with ``env`` set (a live connector's settings).

    SIGUSR1 writes the stack of every thread to the log: ``Fleet`` asks for it before it
    kills a worker that did not stop in time.
    """
    os.environ.update(env or {})
    handler = logging.FileHandler(log_path)
    configure_logging(handler)
    assert handler.stream is not None
    faulthandler.register(signal.SIGUSR1, file=handler.stream, all_threads=True)
    if ending is not None:
        _end_as_told(ending)
    settings = settings_for(database_url, worker_id, sops_dir)
    sys.exit(run_worker(settings, SharedClock(seconds), once=False, poll=POLL_SECONDS))


def _end_as_told(ending: Ending) -> None:
    """Watch this process's commits (and the tool's writes) and signal it at the right one."""
    count = {"commits": 0, "writes": 0}
    due = {"after this commit": False, "now": False}

    def before_statement(_connection: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith(_TOOL_WRITE):
            count["writes"] += 1
            due["after this commit"] = count["writes"] == ending.after_write

    def before_commit(_connection: Connection) -> None:
        count["commits"] += 1
        if due["now"] or count["commits"] == ending.commit:
            logging.getLogger("promises").info(
                "%s before commit %d (after %d tool writes)",
                signal.strsignal(ending.signum),
                count["commits"],
                count["writes"],
            )
            os.kill(os.getpid(), ending.signum)
        due["now"], due["after this commit"] = due["after this commit"], False

    event.listen(Engine, "before_cursor_execute", before_statement)
    event.listen(Engine, "commit", before_commit)


def run_sopbot(argv: list[str], env: dict[str, str], output_path: str) -> None:
    """``sopbot ARGV`` as a process of its own, with ``env`` set and every line it prints
    (stdout and stderr) in ``output_path``; its exit code is this process's."""
    from bot.cli.app import main

    os.environ.update(env)
    with open(output_path, "w") as output:
        os.dup2(output.fileno(), sys.stdout.fileno())
        os.dup2(output.fileno(), sys.stderr.fileno())
    sys.exit(main(argv))
