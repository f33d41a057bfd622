"""Checking a large library of SOP files on every core.

Each file is loaded and checked on its own, so files split across forked processes with no
coordination. Only the findings cross back, already placed at their line and column, with
the SOP's id and command for the rules across files: sending the procedure, its data and
positions back would cost the parent more than checking the file itself. Forking (where
the platform has it) lets the processes share the imports and the catalogue without
sending them.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.procedure.loader import LoadedSop

FILES_PER_PROCESS = 150
"""Fewer files than this per extra process, and starting it costs more than it saves."""
CHUNK = 25
"""Files handed to a process at a time: small enough to even out the processes' loads."""

CheckFile = Callable[[Path], LoadedSop]
Identity = tuple[str | None, str | None]
"""A checked file's SOP id and trigger command, when it has a procedure."""
_check: CheckFile | None = None
"""The check the forked process was started with."""


def processes_for(files: int, jobs: int) -> int:
    """How many processes ``files`` are worth, at most ``jobs``; 1 means check in-process."""
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(jobs, files // FILES_PER_PROCESS))


def check_in_processes(
    paths: Sequence[Path], check: CheckFile, processes: int
) -> list[tuple[LoadedSop, Identity]]:
    """The findings of ``check`` of every path, in the order given, spread over
    ``processes`` forks: each file without its procedure, data or positions."""
    chunks = [list(paths[start : start + CHUNK]) for start in range(0, len(paths), CHUNK)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_start, initargs=(check,)) as pool:
        return [loaded for done in pool.imap(_check_chunk, chunks) for loaded in done]


def _start(check: CheckFile) -> None:
    global _check
    _check = check
    gc.disable()  # a short-lived process: collecting finds no cycles worth the passes


def _check_chunk(paths: list[Path]) -> list[tuple[LoadedSop, Identity]]:
    if _check is None:  # pragma: no cover - only a process started by check_in_processes
        raise RuntimeError("the checking process was not started with a check")
    return [_portable(_check(path)) for path in paths]


def _portable(loaded: LoadedSop) -> tuple[LoadedSop, Identity]:
    """What crosses back: the file's findings, and its id and command."""
    procedure = loaded.procedure
    identity = (procedure.id, procedure.trigger.command) if procedure else (None, None)
    return LoadedSop(loaded.file, "", diagnostics=loaded.diagnostics), identity
