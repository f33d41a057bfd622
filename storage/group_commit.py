"""Group commit: small writes from many threads share transactions, so a burst of them costs
one wait for the disk instead of one each.

A caller's write joins the queue; whoever gets to commit next takes every write waiting and
does them in one transaction, and each caller returns once the commit holding its write is
durable. A transaction that fails is done again one write at a time, so a bad write fails
only its own caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from storage.database import Database

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class _Waiting(Generic[Item, Result]):
    item: Item
    outcome: tuple[Result] | Exception | None = None
    """None until its commit ended: then what ``write`` returned, or what failed."""


class GroupCommit(Generic[Item, Result]):
    """``write(session, item)`` for each submitted item, in transactions shared by callers."""

    def __init__(self, database: Database, write: Callable[[Session, Item], Result]) -> None:
        self._database = database
        self._write = write
        self._queue: list[_Waiting[Item, Result]] = []
        self._queue_lock = threading.Lock()
        self._committing = threading.Lock()

    @property
    def waiting(self) -> int:
        """Writes submitted that no commit has taken yet."""
        with self._queue_lock:
            return len(self._queue)

    def submit(self, item: Item) -> Result:
        """What ``write`` returned for ``item``, once committed; or what it raised."""
        waiting: _Waiting[Item, Result] = _Waiting(item)
        with self._queue_lock:
            self._queue.append(waiting)
        with self._committing:
            if waiting.outcome is None:  # no one took it along: commit it and all waiting
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit(batch)
        outcome = waiting.outcome
        if isinstance(outcome, tuple):
            return outcome[0]
        raise outcome or RuntimeError("a group commit ended without an outcome")

    def _commit(self, batch: list[_Waiting[Item, Result]]) -> None:
        try:
            with self._database.session() as session:
                results = [self._write(session, waiting.item) for waiting in batch]
        except Exception as error:
            if len(batch) == 1:
                batch[0].outcome = error
                return
            for waiting in batch:  # one at a time: only the failing write fails
                self._commit([waiting])
            return
        for waiting, result in zip(batch, results, strict=True):
            waiting.outcome = (result,)
