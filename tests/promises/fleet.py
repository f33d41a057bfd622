"""Worker processes for the promise tests, and the people who start runs and decide.

Workers are forked from a forkserver that imported sopbot once, so a restart costs
milliseconds instead of seconds of imports; each is a real OS process that SIGKILL ends
at once. Waiting is never a sleep: it waits on the workers' process handles with a
timeout, so an unexpected exit is seen at once.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import random
import signal
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path

from bot.cli.worker_cmd import open_engine
from bot.engine.errors import DecisionRefused
from storage import approvals
from storage.models import Approval
from tests.promises.clock import SharedClock
from tests.promises.worker_process import serve, settings_for

CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(
    ["tests.promises.worker_process", "storage.migrate", "bot.validation.validator"]
)
POLL_SECONDS = 0.05
STARTER = "U02DEV"
APPROVER = "U03SAM"


class WorkerDied(AssertionError):
    """A worker exited that nobody stopped."""


class Fleet:
    """The worker processes of one test, all on one database and one shared clock."""

    def __init__(self, database_url: str, clock: SharedClock, log_dir: Path) -> None:
        self.database_url = database_url
        self.clock = clock
        self.log_dir = log_dir
        self.running: dict[str, BaseProcess] = {}
        self.doomed: set[str] = set()

    def start(self, worker_id: str, *, die_before_commit: int | None = None) -> None:
        """Start a worker; with ``die_before_commit`` it SIGKILLs itself before that commit."""
        log = str(self.log(worker_id))
        process = CONTEXT.Process(
            target=serve,
            args=(self.database_url, worker_id, self.clock.seconds, log, die_before_commit),
            name=worker_id,
            daemon=True,
        )
        process.start()
        self.running[worker_id] = process
        if die_before_commit is not None:
            self.doomed.add(worker_id)

    def await_death(self, worker_id: str, timeout: float = 30.0) -> None:
        """Wait for a worker told to die before a commit to do so."""
        process = self.running.pop(worker_id)
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise AssertionError(f"{worker_id} did not die within {timeout}s:\n{self.tail(worker_id)}")
        assert process.exitcode == -signal.SIGKILL, self.tail(worker_id)

    def kill(self, worker_id: str) -> None:
        """SIGKILL: the worker stops wherever it is, as in a power cut."""
        process = self.running.pop(worker_id)
        process.kill()
        process.join()

    def stop(self, worker_id: str, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait: the worker finishes the timer in hand; its exit code."""
        process = self.running.pop(worker_id)
        process.terminate()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise AssertionError(f"{worker_id} did not stop within {timeout}s of SIGTERM")
        return process.exitcode

    def close(self) -> None:
        """Kill whatever is still running (after a failed test)."""
        for worker_id in list(self.running):
            self.kill(worker_id)

    def pause(self, seconds: float) -> None:
        """Let the workers run for up to ``seconds``; fail at once if one of them exits."""
        assert self.running, "no worker is running: nothing would change while waiting"
        multiprocessing.connection.wait(
            [process.sentinel for process in self.running.values()], timeout=seconds
        )
        for worker_id, process in self.running.items():
            if process.exitcode is not None and worker_id not in self.doomed:
                raise WorkerDied(f"{worker_id} exited with {process.exitcode}:\n{self.tail(worker_id)}")

    def wait_until(self, condition: Callable[[], bool], *, timeout: float) -> bool:
        """Poll ``condition`` while the workers run; False if ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            self.pause(POLL_SECONDS)
        return True

    def wait_serving(self, worker_id: str, timeout: float = 30.0) -> None:
        """Wait until the worker has opened the engine and handles signals."""
        log = self.log(worker_id)
        serving = f"worker {worker_id} serving"
        if not self.wait_until(lambda: log.exists() and serving in log.read_text(), timeout=timeout):
            raise AssertionError(f"{worker_id} did not start within {timeout}s:\n{self.tail(worker_id)}")

    def log(self, worker_id: str) -> Path:
        return self.log_dir / f"{worker_id}.log"

    def tail(self, worker_id: str, lines: int = 30) -> str:
        path = self.log(worker_id)
        return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else "(no log)"

    def chat_lines(self) -> list[str]:
        """Every chat message the workers delivered, one line each."""
        return [
            line
            for path in sorted(self.log_dir.glob("*.log"))
            for line in path.read_text().splitlines()
            if " sopbot.chat: " in line
        ]


class Desk:
    """The people: start runs and decide approvals, through the same wiring the workers use.

    It never does due work itself; only the workers do.
    """

    def __init__(self, database_url: str, clock: SharedClock) -> None:
        self.engine = open_engine(settings_for(database_url, "desk"), clock)
        self.started: list[str] = []

    def start_runs(self, count: int, rng: random.Random) -> None:
        """Start ``count`` runs of ``promise-mix``, about a third of them needing approval."""
        for _ in range(count):
            run = self.engine.start(
                "promise-mix",
                {"needs_approval": rng.random() < 0.35},
                started_by=STARTER,
                interactive=False,
                inline=False,
            )
            self.started.append(run.id)

    def decide(self, rng: random.Random, *, share: float, reject: float) -> int:
        """Decide about ``share`` of the open approvals (``reject`` of those rejected)."""
        decided = 0
        for approval in self._pending():
            if rng.random() >= share:
                continue
            rejecting = rng.random() < reject
            try:
                if rejecting:
                    self.engine.decide(approval.id, APPROVER, "reject", "not this time")
                else:
                    self.engine.decide(approval.id, APPROVER, "approve")
            except DecisionRefused:  # it timed out a moment ago: a worker got there first
                continue
            decided += 1
        return decided

    def _pending(self) -> list[Approval]:
        with self.engine.runtime.database.session(read_only=True) as session:
            return approvals.list_pending(session, limit=10_000)

    def close(self) -> None:
        self.engine.runtime.close()

