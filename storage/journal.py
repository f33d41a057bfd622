"""The call journal: a row before a write is made (its intent) and its outcome after, so a
restart can tell a call that finished from one the process died in the middle of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from storage.models import StepRecord
from storage.writes import rows_changed, table_of

OWNER_STEP = "step"
"""A call made by one of the run's steps (its action, a wait's refresh or reminder)."""
OWNER_SLA = "sla"
"""A call made by a link of one of the run's SLA clocks."""

_TABLE = table_of(StepRecord)
# Built once: the journal is written on every step.
_INSERT = insert(_TABLE)
_INSERT_RETURNING_ID = insert(_TABLE).returning(_TABLE.c.id)
_FINISH = update(_TABLE).where(_TABLE.c.id == bindparam("b_id"))


@dataclass(frozen=True)
class CallId:
    """Who made a call, and which of its calls it is: unique in the journal."""

    run_id: str
    step_id: str
    call_no: int
    owner_kind: str = OWNER_STEP


def _row(
    call: CallId,
    kind: str,
    operation: str | None,
    attempt: int,
    idempotency_key: str | None,
    started_at: datetime,
) -> dict[str, Any]:
    """The columns every journal entry has."""
    return {
        "run_id": call.run_id,
        "owner_kind": call.owner_kind,
        "step_id": call.step_id,
        "call_no": call.call_no,
        "kind": kind,
        "operation": operation,
        "attempt": attempt,
        "idempotency_key": idempotency_key,
        "started_at": started_at,
    }


def begin_step(
    session: Session,
    *,
    call: CallId,
    kind: str,
    operation: str | None,
    attempt: int,
    request: dict[str, Any] | None,
    idempotency_key: str | None,
    now: datetime,
) -> int:
    """Journal a call as started (an intent): its id. ``IntegrityError`` if a call with the
    same identity is journalled already."""
    values = _row(call, kind, operation, attempt, idempotency_key, now)
    values.update(status="started", request=request, response=None, error=None, finished_at=None)
    return int(session.execute(_INSERT_RETURNING_ID, values).scalar_one())


def record_step(
    session: Session,
    *,
    call: CallId,
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
    values = _row(call, kind, operation, attempt, idempotency_key, started_at)
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
    """The run's journal in the order it was written."""
    query = select(StepRecord).where(StepRecord.run_id == run_id).order_by(StepRecord.id)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def calls_of(session: Session, run_id: str, owner_kind: str, step_id: str) -> list[StepRecord]:
    """Every call one owner (a step, or an SLA link) made for the run, in order."""
    query = (
        select(StepRecord)
        .where(
            StepRecord.run_id == run_id,
            StepRecord.owner_kind == owner_kind,
            StepRecord.step_id == step_id,
        )
        .order_by(StepRecord.call_no)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def unfinished_step(session: Session, run_id: str) -> StepRecord | None:
    """A call of one of the run's own steps still marked started (its process died during
    the call), or None. SLA links' calls are theirs to recover, never the run's."""
    query = (
        select(StepRecord)
        .where(
            StepRecord.run_id == run_id,
            StepRecord.owner_kind == OWNER_STEP,
            StepRecord.status == "started",
        )
        .order_by(StepRecord.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )
    return session.scalar(query)
