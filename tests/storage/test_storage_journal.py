"""The call journal tells a restart which call was in flight when the process died, and
gives every call an identity no second writer can take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from storage import journal
from storage.database import Database
from storage.journal import OWNER_SLA, CallId

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def _begin(
    database: Database,
    run_id: str,
    step_id: str,
    attempt: int = 1,
    *,
    call_no: int | None = None,
    owner_kind: str = journal.OWNER_STEP,
) -> int:
    with database.session() as session:
        return journal.begin_step(
            session,
            call=CallId(run_id, step_id, call_no or attempt, owner_kind),
            kind="action",
            operation="crm.refund",
            attempt=attempt,
            request={"amount": 120},
            idempotency_key=f"{run_id}:{step_id}:{attempt}",
            now=T0,
        )


def _finish(database: Database, record_id: int, status: str = "succeeded") -> None:
    with database.session() as session:
        journal.finish_step(
            session, record_id, status=status, response={"ok": True}, error=None, now=T0 + SECOND
        )


def test_the_journal_keeps_each_runs_calls_in_order(
    database: Database, make_run: Callable[..., str]
) -> None:
    make_run("run-1")
    make_run("run-2")

    _begin(database, "run-1", "lookup")
    _begin(database, "run-2", "lookup")
    _begin(database, "run-1", "refund")
    _begin(database, "run-1", "refund", attempt=2)

    with database.session() as session:
        steps = journal.steps_for_run(session, "run-1")
    assert [(step.step_id, step.attempt, step.call_no) for step in steps] == [
        ("lookup", 1, 1),
        ("refund", 1, 1),
        ("refund", 2, 2),
    ]
    assert steps[0].request == {"amount": 120}
    assert steps[0].idempotency_key == "run-1:lookup:1"


def test_a_call_cannot_be_journalled_twice(
    database: Database, make_run: Callable[..., str]
) -> None:
    make_run("run-1")
    _begin(database, "run-1", "refund", call_no=1)

    with pytest.raises(IntegrityError):
        _begin(database, "run-1", "refund", call_no=1)
    # the same step id and number under another owner is another call
    _begin(database, "run-1", "refund", call_no=1, owner_kind=OWNER_SLA)


def test_a_finished_step_keeps_its_outcome(
    database: Database, make_run: Callable[..., str]
) -> None:
    make_run("run-1")
    record_id = _begin(database, "run-1", "refund")

    with database.session() as session:
        journal.finish_step(
            session, record_id, status="failed", response=None, error="CRM said 503", now=T0
        )
        (step,) = journal.steps_for_run(session, "run-1")

    assert (step.status, step.error, step.response, step.finished_at) == (
        "failed",
        "CRM said 503",
        None,
        T0,
    )


def test_the_step_a_process_died_in_is_found(
    database: Database, make_run: Callable[..., str]
) -> None:
    make_run("run-1")
    _finish(database, _begin(database, "run-1", "lookup"))
    in_flight = _begin(database, "run-1", "refund")

    with database.session() as session:
        found = journal.unfinished_step(session, "run-1")
    assert found is not None
    assert (found.id, found.step_id, found.status) == (in_flight, "refund", "started")

    _finish(database, in_flight)
    with database.session() as session:
        assert journal.unfinished_step(session, "run-1") is None


def test_an_sla_links_call_in_flight_is_not_the_runs_own(
    database: Database, make_run: Callable[..., str]
) -> None:
    make_run("run-1")
    _begin(database, "run-1", "first:link0", owner_kind=OWNER_SLA)

    with database.session() as session:
        assert journal.unfinished_step(session, "run-1") is None
        (link_call,) = journal.calls_of(session, "run-1", OWNER_SLA, "first:link0")
    assert link_call.status == "started"


def test_finishing_an_unknown_entry_is_refused(database: Database) -> None:
    with (
        database.session() as session,
        pytest.raises(LookupError, match="no step journal entry 99"),
    ):
        journal.finish_step(session, 99, status="succeeded", response=None, error=None, now=T0)
