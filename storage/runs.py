"""Run rows. A run changes only by compare-and-set on its ``version``: of two processes
that read the same version, exactly one update lands; the other learns it lost."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from storage.models import Run
from storage.writes import rows_changed, table_of

FINISHED_STATUSES = ("completed", "escalated", "rejected", "failed", "cancelled")
_GUARDED_COLUMNS = frozenset({"id", "version", "updated_at"})
_UPDATABLE_COLUMNS = frozenset(Run.__table__.columns.keys()) - _GUARDED_COLUMNS


_TABLE = table_of(Run)
_INSERT = insert(_TABLE)
# Built once: every step of every run ends in this compare-and-set.
_CAS_UPDATE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.version == bindparam("b_version"))
    .values(version=_TABLE.c.version + 1)
)


def insert_run(session: Session, run: Run) -> None:
    """Store a new run (its SOP version must already be saved). ``run`` stays a plain,
    detached object: a plain INSERT is much cheaper than the ORM's unit of work."""
    values: dict[str, Any] = {}
    for column in _TABLE.columns:
        value = getattr(run, column.key)
        default = column.default
        if value is None and isinstance(default, ScalarElementColumnDefault):
            value = default.arg  # the model's default (attempt 0, version 1)
            setattr(run, column.key, value)
        values[column.key] = value
    session.execute(_INSERT, values)


def get_run(session: Session, run_id: str) -> Run | None:
    """The run as stored now, or None."""
    return session.get(Run, run_id, populate_existing=True)


def cas_update_run(
    session: Session, run_id: str, *, expected_version: int, now: datetime, **values: Any
) -> bool:
    """Apply ``values`` only if the run is still at ``expected_version``; True if this won.

    The winner bumps ``version`` and ``updated_at``; ``id``, ``version`` and ``updated_at``
    cannot be set directly.
    """
    unknown = set(values) - _UPDATABLE_COLUMNS
    if unknown:
        raise ValueError(f"cannot set {', '.join(sorted(unknown))} on a run")
    parameters = {"b_id": run_id, "b_version": expected_version, "updated_at": now, **values}
    return rows_changed(session, _CAS_UPDATE, parameters) == 1


def threads(session: Session, run_ids: Collection[str]) -> dict[str, dict[str, Any]]:
    """Each run's thread as stored (where its conversation goes, and its ``root`` once
    posted), for the runs that have one."""
    if not run_ids:
        return {}
    rows = session.execute(select(Run.id, Run.thread).where(Run.id.in_(list(run_ids))))
    return {row.id: row.thread for row in rows if row.thread}


def set_thread(session: Session, run_id: str, thread: dict[str, Any]) -> None:
    """Store the run's thread with its root message added. Only the ``thread`` column
    changes, so no compare-and-set of the run's state can lose it; and nothing but the root
    changes once a run has started, so a thread read in an earlier transaction will do."""
    rows_changed(session, update(Run).where(Run.id == run_id).values(thread=thread))


def list_runs(
    session: Session,
    *,
    status: str | None = None,
    sop_id: str | None = None,
    started_by: str | None = None,
    limit: int = 50,
) -> list[Run]:
    """Runs matching every filter given, newest first."""
    query = select(Run).order_by(Run.created_at.desc(), Run.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Run.status == status)
    if sop_id is not None:
        query = query.where(Run.sop_id == sop_id)
    if started_by is not None:
        query = query.where(Run.started_by == started_by)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def unfinished_runs(session: Session) -> list[Run]:
    """Every run not in a final status, oldest first (what a restart must pick up)."""
    query = (
        select(Run)
        .where(Run.status.not_in(FINISHED_STATUSES))
        .order_by(Run.created_at, Run.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))
