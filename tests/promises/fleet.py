"""Worker processes for the promise tests.

Workers are forked from a forkserver that imported sopbot once, so a restart costs a
fraction of a second instead of seconds of imports; each is a real OS process that SIGKILL
ends at once. Waiting is never a sleep: it waits on the workers' process handles with a
timeout, so an unexpected exit is seen at once.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path

from tests.promises.clock import SharedClock
from tests.promises.worker_process import SOPS_DIR, Ending, run_sopbot, serve

CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["tests.promises.preload"])
POLL_SECONDS = 0.05
STACK_DUMP_SECONDS = 1.0


class WorkerDied(AssertionError):
    """A worker exited that nobody stopped."""


class Fleet:
    """The worker processes of one test, all on one database and one shared clock."""

    def __init__(self, database_url: str, clock: SharedClock, log_dir: Path) -> None:
        self.database_url = database_url
        self.clock = clock
        self.log_dir = log_dir
        self.running: dict[str, BaseProcess] = {}
        self.may_exit: set[str] = set()

    def start(
        self,
        worker_id: str,
        *,
        ending: Ending | None = None,
        sops_dir: Path = SOPS_DIR,
        env: dict[str, str] | None = None,
    ) -> None:
        """Start a worker; with ``ending`` it signals itself at that point of its work. It
        serves the SOPs in ``sops_dir``, with ``env`` set (a live connector's settings)."""
        log = str(self.log(worker_id))
        process = CONTEXT.Process(
            target=serve,
            args=(self.database_url, worker_id, self.clock.seconds, log, ending, sops_dir, env),
            name=worker_id,
            daemon=True,
        )
        process.start()
        self.running[worker_id] = process
        if ending is not None:
            self.may_exit.add(worker_id)

    def exited(self, worker_id: str) -> bool:
        return self.running[worker_id].exitcode is not None

    def serving(self, worker_id: str) -> bool:
        """Has the worker opened the engine (and so installed its signal handlers)?"""
        log = self.log(worker_id)
        return log.exists() and f"worker {worker_id} serving" in log.read_text()

    def end(self, worker_id: str, signum: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send ``signum`` (unless the worker exited already) and wait; its exit code.

        SIGTERM: the worker finishes the timer in hand and exits 0. SIGKILL: it stops dead.
        """
        process = self.running.pop(worker_id)
        if process.exitcode is None and process.pid is not None:
            os.kill(process.pid, signum)
        process.join(timeout)
        if process.exitcode is None and process.pid is not None:
            os.kill(process.pid, signal.SIGUSR1)  # its stacks, into its log
            process.join(STACK_DUMP_SECONDS)
        try:
            return exit_code(process, timeout=0)
        except AssertionError:
            raise AssertionError(f"{worker_id} did not exit:\n{self.tail(worker_id, 60)}") from None

    def close(self) -> None:
        """Kill whatever is still running (after a failed test)."""
        for worker_id in list(self.running):
            self.end(worker_id, signal.SIGKILL)

    def pause(self, seconds: float) -> None:
        """Let the workers run for up to ``seconds``; fail at once if one of them exits."""
        assert self.running, "no worker is running: nothing would change while waiting"
        multiprocessing.connection.wait(
            [process.sentinel for process in self.running.values()], timeout=seconds
        )
        for worker_id, process in self.running.items():
            if process.exitcode is not None and worker_id not in self.may_exit:
                raise WorkerDied(
                    f"{worker_id} exited with {process.exitcode}:\n{self.tail(worker_id)}"
                )

    def wait_until(self, condition: Callable[[], bool], *, timeout: float) -> bool:
        """Poll ``condition`` while the workers run; False if ``timeout`` seconds pass first."""
        return wait_until(condition, timeout=timeout, pause=self.pause)

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


def wait_until(
    condition: Callable[[], bool], *, timeout: float, pause: Callable[[float], object]
) -> bool:
    """Check ``condition`` every ``POLL_SECONDS`` (``pause`` waits, e.g. on a process);
    False if ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        pause(POLL_SECONDS)
    return True


def start_sopbot(argv: list[str], output: Path, env: dict[str, str] | None = None) -> BaseProcess:
    """``sopbot ARGV`` in a process of its own (forked warm), printing into ``output``."""
    process = CONTEXT.Process(
        target=run_sopbot, args=(argv, env or {}, str(output)), name="sopbot", daemon=True
    )
    process.start()
    return process


def exit_code(process: BaseProcess, timeout: float = 60.0) -> int:
    """Wait for ``process`` to end; its exit code (SIGKILL and failure after ``timeout``)."""
    process.join(timeout)
    if process.exitcode is None:
        process.kill()
        process.join()
        raise AssertionError(f"{process.name} did not exit within {timeout}s")
    return process.exitcode
