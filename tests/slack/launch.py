"""A real ``sopbot`` process started as an operator starts it, with Slack's settings pointed
at the fake Web API, and explicit waits (with deadlines) for what it says and does."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.fernet import Fernet

from tests.sopbot_process import clean_environment

REPO = Path(__file__).resolve().parents[2]
SOPBOT = Path(sys.executable).with_name("sopbot")
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
STARTUP_SECONDS = 60.0
"""Migrating a new database and loading the nine sample SOPs, on a busy 2-core machine."""


class Launched:
    """A running ``sopbot`` command; its output (stdout and stderr) read line by line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def wait_for(self, pattern: str, timeout: float = STARTUP_SECONDS) -> re.Match[str]:
        """The first line from now on matching ``pattern``; fails after ``timeout`` seconds
        or when the process ends first."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"sopbot ended before {pattern!r}:\n{self.text()}")
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no {pattern!r} within {timeout:g} s:\n{self.text()}")

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def text(self) -> str:
        return "".join(self.output)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)


def environment(api_url: str, **slack: str) -> dict[str, str]:
    """The shell without any sopbot or Slack setting, plus the fake's URL and ``slack``
    (``SLACK_BOT_TOKEN="…"``, …)."""
    env = clean_environment()
    env.update(
        SOPBOT_SLACK_API_URL=api_url,
        SOPBOT_SECRETS_KEY=Fernet.generate_key().decode(),
        PYTHONUNBUFFERED="1",
        **slack,
    )
    return env


@contextmanager
def launched(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[Launched]:
    """``sopbot ARGS`` until the block ends; then stopped with SIGTERM (killed if it hangs)."""
    process = subprocess.Popen(
        [str(SOPBOT), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Launched(process)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def wait_until(check: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    """Look again every 20 ms until ``check()`` is true; fail naming ``what`` after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.02)
