"""The worker process the promise tests start, kill and restart.

It is ``sopbot worker`` (``bot.cli.worker_cmd.run_worker``) on the SOPs in ``sops/`` next
to this file, with two differences only: its clock is the test's ``SharedClock``, and its
log (one line per chat message) goes to a file the test reads.
"""

from __future__ import annotations

import ctypes
import faulthandler
import signal
import datetime as dt
import logging
import sys
from pathlib import Path

from bot.cli.worker_cmd import LOG_FORMAT, run_worker
from bot.config import Settings
from tests.promises.clock import SharedClock

SOPS_DIR = Path(__file__).parent / "sops"
LEASE = dt.timedelta(seconds=60)
POLL_SECONDS = 0.01


def settings_for(database_url: str, worker_id: str) -> Settings:
    """The settings every process of a promise test uses (the test's own engine too)."""
    return Settings(
        database_url=database_url,
        sops_dir=SOPS_DIR,
        worker_id=worker_id,
        lease_seconds=int(LEASE.total_seconds()),
    )


def serve(database_url: str, worker_id: str, seconds: ctypes.c_double, log_path: str) -> None:
    """The body of one worker process: serve until SIGTERM (exit 0) or SIGKILL."""
    handler = logging.FileHandler(log_path)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    faulthandler.register(signal.SIGUSR1, file=handler.stream, all_threads=True)
    settings = settings_for(database_url, worker_id)
    sys.exit(run_worker(settings, SharedClock(seconds), once=False, poll=POLL_SECONDS))


# TEMP-PATCH (exploration only, remove): read pinned versions without the write lock.
import bot.library as _library  # noqa: E402
from functools import lru_cache as _lru  # noqa: E402


@_lru(maxsize=256)
def _pinned_read_only(database, content_hash):  # type: ignore[no-untyped-def]
    from storage import sop_versions
    from bot.procedure.loader import load_text
    with database.session(read_only=True) as session:
        version = sop_versions.get_by_hash(session, content_hash)
    return load_text(version.source, version.file).procedure


_library._pinned = _pinned_read_only
