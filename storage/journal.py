"""The step journal: a row before a step runs and its outcome after, so a restart can tell
a step that finished from one the process died in the middle of."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from storage.models import StepRecord
from storage.writes import rows_changed, table_of

_TABLE = table_of(StepRecord)
# Built once: the journal is written on every step.
_INSERT = insert(_TABLE)
_INSERT_RETURNING_ID = insert(_TABLE).returning(_TABLE.c.id)
_LAST_SEQ = select(func.max(_TABLE.c.seq)).where(_TABLE.c.run_id == bindparam("b_run"))
_FINISH = update(_TABLE).where(_TABLE.c.id == bindparam("b_id"))


def _row(
    session: Session,
    run_id: str,
    step_id: str,
    kind: str,
    operation: str | None,
    attempt: int,
    idempotency_key: str | None,
    started_at: datetime,
) -> dict[str, Any]:
    """The columns every journal entry has, numbered after the run's previous entries."""
    return {
        "run_id": run_id,
        "seq": (session.scalar(_LAST_SEQ, {"b_run": run_id}) or 0) + 1,
        "step_id": step_id,
        "kind": kind,
        "operation": operation,
        "attempt": attempt,
        "idempotency_key": idempotency_key,
        "started_at": started_at,
    }


def begin_step(
    session: Session,
    *,
    run_id: str,
    step_id: str,
    kind: str,
    operation: str | None,
    attempt: int,
    request: dict[str, Any] | None,
    idempotency_key: str | None,
    now: datetime,
) -> StepRecord:
    """Journal a step as started, numbered after the run's previous entries.

    The returned record is a detached copy of the row (read its ``id`` and ``seq``).
    """
    values = _row(session, run_id, step_id, kind, operation, attempt, idempotency_key, now)
    values.update(status="started", request=request, response=None, error=None, finished_at=None)
    record_id = session.execute(_INSERT_RETURNING_ID, values).scalar_one()
    return StepRecord(id=record_id, **values)


def record_step(
    session: Session,
    *,
    run_id: str,
    step_id: str,
    kind: str,
    operation: str | None,
    attempt: int,
    status: str,
    request: dict[str, Any] | None,
    response: dict[str, Any] | None,
    error: str | None,
    idempotency_key: str | None,
    started_at: datetime,
    finished_at: datetime,
) -> None:
    """Journal a step that is already over (a read, a repeatable write, a refusal) in one
    statement: there is nothing a crash in between could leave unknown."""
    values = _row(session, run_id, step_id, kind, operation, attempt, idempotency_key, started_at)
    values.update(
        status=status, request=request, response=response, error=error, finished_at=finished_at
    )
    session.execute(_INSERT, values)


def finish_step(
    session: Session,
    record_id: int,
    *,
    status: str,
    response: dict[str, Any] | None,
    error: str | None,
    now: datetime,
) -> None:
    """Record how the step ended. ``LookupError`` if there is no such entry."""
    values = {
        "b_id": record_id,
        "status": status,
        "response": response,
        "error": error,
        "finished_at": now,
    }
    if rows_changed(session, _FINISH, values) == 0:
        raise LookupError(f"no step journal entry {record_id}")


def steps_for_run(session: Session, run_id: str) -> list[StepRecord]:
    """The run's journal in order."""
    query = select(StepRecord).where(StepRecord.run_id == run_id).order_by(StepRecord.seq)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def unfinished_step(session: Session, run_id: str) -> StepRecord | None:
    """The step still marked started (its process died mid-step), or None."""
    query = (
        select(StepRecord)
        .where(StepRecord.run_id == run_id, StepRecord.status == "started")
        .order_by(StepRecord.seq.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )
    return session.scalar(query)
