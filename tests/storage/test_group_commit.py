"""Writes that arrive together share one commit (one wait for the disk), each caller still
hears its own answer, and a write that fails fails only its own caller."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from storage import inbound
from storage.database import Database
from storage.group_commit import GroupCommit
from tests.slack.launch import wait_until

T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


class Burst:
    """A first write held open until the rest of a burst is queued behind it, so the rest
    is committed as one batch; what each caller heard, by key."""

    def __init__(self, database: Database, fail_on: str = "") -> None:
        self.database = database
        self.fail_on = fail_on
        self.heard: dict[str, list[bool | str]] = {}
        self._lock = threading.Lock()
        self._entered = threading.Event()
        self._release = threading.Event()
        self.group: GroupCommit[str, bool] = GroupCommit(database, self._write)

    def run(self, keys: list[str]) -> None:
        first = threading.Thread(target=self._submit, args=("first",))
        first.start()
        assert self._entered.wait(10), "the first write never started"
        others = [threading.Thread(target=self._submit, args=(key,)) for key in keys]
        for thread in others:
            thread.start()
        wait_until(lambda: self.group.waiting == len(keys), "the burst queued", timeout=10)
        self._release.set()
        for thread in [first, *others]:
            thread.join(timeout=10)

    def _write(self, session: Session, key: str) -> bool:
        if key == "first":
            self._entered.set()
            assert self._release.wait(10), "the burst was never released"
        fresh = inbound.remember(session, key=key, source="webhook", at=T0)
        if key == self.fail_on:
            raise ValueError(f"cannot write {key}")
        return fresh

    def _submit(self, key: str) -> None:
        try:
            answer: bool | str = self.group.submit(key)
        except ValueError as error:
            answer = str(error)
        with self._lock:
            self.heard.setdefault(key, []).append(answer)


@pytest.fixture
def commits(database: Database) -> Iterator[list[object]]:
    """Every transaction committed on ``database`` while the test runs."""
    seen: list[object] = []
    listener: Callable[[object], None] = seen.append
    event.listen(database.engine, "commit", listener)
    yield seen
    event.remove(database.engine, "commit", listener)


def _is_new(database: Database, key: str) -> bool:
    with database.session() as session:
        return inbound.remember(session, key=key, source="webhook", at=T0)


def test_a_burst_of_writes_shares_one_commit_and_each_caller_hears_its_answer(
    database: Database, commits: list[object]
) -> None:
    burst = Burst(database)
    burst.run(["a", "b", "a", "c", "first", "d"])

    assert len(commits) == 2  # the first write alone, then the five others together
    assert {key: sorted(answers) for key, answers in burst.heard.items()} == {
        "first": [False, True],  # its repeat, in the second commit, is refused
        "a": [False, True],  # a repeat within one commit too
        "b": [True],
        "c": [True],
        "d": [True],
    }


def test_a_write_that_fails_fails_only_its_caller_and_leaves_nothing(database: Database) -> None:
    burst = Burst(database, fail_on="bad")
    burst.run(["a", "bad", "b"])

    assert burst.heard == {
        "first": [True],
        "a": [True],
        "bad": ["cannot write bad"],
        "b": [True],
    }
    assert not _is_new(database, "a")
    assert not _is_new(database, "b")
    assert _is_new(database, "bad")  # its half-done write was rolled back
