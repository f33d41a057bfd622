"""Runs advance only by compare-and-set on their version: a stale writer always loses."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import StatementError

from storage import runs
from storage.database import Database
from storage.models import SandboxRecord

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
LATER = T0 + dt.timedelta(minutes=5)


def test_a_stored_run_reads_back_as_written(
    database: Database, make_run: Callable[..., str]
) -> None:
    make_run("run-1", inputs={"amount": 120, "customer": "ACME"}, cursor="check")

    with database.session() as session:
        run = runs.get_run(session, "run-1")
        missing = runs.get_run(session, "run-404")

    assert run is not None
    assert (run.sop_id, run.status, run.cursor, run.version) == ("refund", "running", "check", 1)
    assert run.inputs == {"amount": 120, "customer": "ACME"}
    assert run.created_at == T0
    assert missing is None


def test_the_first_update_from_a_version_wins_and_a_stale_one_loses(
    database: Database, make_run: Callable[..., str]
) -> None:
    make_run("run-1")

    with database.session() as session:
        won = runs.cas_update_run(
            session, "run-1", expected_version=1, now=LATER, status="waiting_timer", cursor="wait"
        )
    with database.session() as session:
        stale = runs.cas_update_run(
            session, "run-1", expected_version=1, now=LATER, status="failed"
        )
        run = runs.get_run(session, "run-1")

    assert (won, stale) == (True, False)
    assert run is not None
    assert (run.status, run.cursor, run.version, run.updated_at) == (
        "waiting_timer",
        "wait",
        2,
        LATER,
    )


def test_a_run_read_earlier_in_the_same_session_shows_the_update(
    database: Database, make_run: Callable[..., str]
) -> None:
    make_run("run-1")

    with database.session() as session:
        before = runs.get_run(session, "run-1")
        assert runs.cas_update_run(session, "run-1", expected_version=1, now=LATER, state={"x": 1})
        after = runs.get_run(session, "run-1")

    assert before is after
    assert after is not None
    assert (after.state, after.version) == ({"x": 1}, 2)


def test_of_many_concurrent_updates_from_one_version_exactly_one_wins(
    database: Database, make_run: Callable[..., str]
) -> None:
    make_run("run-1")
    contenders = 8
    start = threading.Barrier(contenders)

    def advance(worker: int) -> bool:
        start.wait(timeout=30)
        with database.session() as session:
            return runs.cas_update_run(
                session, "run-1", expected_version=1, now=LATER, cursor=f"step-{worker}"
            )

    with ThreadPoolExecutor(contenders) as pool:
        outcomes = list(pool.map(advance, range(contenders)))

    assert outcomes.count(True) == 1
    with database.session() as session:
        run = runs.get_run(session, "run-1")
    assert run is not None
    assert (run.version, run.cursor) == (2, f"step-{outcomes.index(True)}")


@pytest.mark.parametrize("column", ["version", "id", "updated_at", "colour"])
def test_guarded_or_unknown_columns_cannot_be_set(
    database: Database, make_run: Callable[..., str], column: str
) -> None:
    make_run("run-1")
    with database.session() as session, pytest.raises(ValueError, match=f"cannot set {column}"):
        runs.cas_update_run(session, "run-1", expected_version=1, now=LATER, **{column: "x"})


def test_runs_are_listed_newest_first_and_filtered(
    database: Database, make_run: Callable[..., str]
) -> None:
    for minute, (run_id, status, sop_id, started_by) in enumerate(
        [
            ("run-1", "completed", "refund", "U1"),
            ("run-2", "running", "refund", "U2"),
            ("run-3", "running", "onboard", "U1"),
            ("run-4", "waiting_approval", "refund", "U1"),
        ]
    ):
        make_run(
            run_id,
            status=status,
            sop_id=sop_id,
            started_by=started_by,
            created_at=T0 + dt.timedelta(minutes=minute),
        )

    def listed(**filters: Any) -> list[str]:
        with database.session() as session:
            return [run.id for run in runs.list_runs(session, **filters)]

    assert listed() == ["run-4", "run-3", "run-2", "run-1"]
    assert listed(limit=2) == ["run-4", "run-3"]
    assert listed(status="running") == ["run-3", "run-2"]
    assert listed(sop_id="refund", started_by="U1") == ["run-4", "run-1"]


def test_unfinished_runs_are_those_not_in_a_final_status(
    database: Database, make_run: Callable[..., str]
) -> None:
    statuses = ["pending", "running", "waiting_timer", "waiting_approval", "waiting_human"]
    finals = ["completed", "escalated", "rejected", "failed", "cancelled"]
    for minute, status in enumerate(statuses + finals):
        make_run(f"run-{status}", status=status, created_at=T0 + dt.timedelta(minutes=minute))

    with database.session() as session:
        unfinished = [run.id for run in runs.unfinished_runs(session)]

    assert unfinished == [f"run-{status}" for status in statuses]


def test_a_non_finite_number_is_refused_on_every_backend(database: Database) -> None:
    """SQLite would store NaN and PostgreSQL refuse it: both refuse it, the same way."""
    with (
        # SQLAlchemy wraps the serializer's error on one backend only
        pytest.raises((StatementError, ValueError), match="Out of range float values"),
        database.session() as session,
    ):
        session.execute(
            insert(SandboxRecord).values(
                collection="orders", key="nan", data={"total": math.nan}, updated_at=T0
            )
        )
