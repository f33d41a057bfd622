"""The audit log. Append-only by design: this module has no update or delete, and the
migration adds a trigger that refuses both, so not even a stray query can rewrite history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.models import AuditEvent
from storage.writes import table_of

_TABLE = table_of(AuditEvent)
_INSERT = insert(_TABLE).returning(_TABLE.c.id)  # built once: this runs on every step


def append(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    outcome: str,
    run_id: str | None = None,
    step_id: str | None = None,
    detail: dict[str, Any] | None = None,
    duration_ms: float | None = None,
    reason: str | None = None,
) -> int:
    """Record one event (mask secrets in ``detail`` before calling); its id.

    A plain INSERT, not an ORM object: events are written on every step and never changed.
    """
    values = {
        "at": at,
        "actor": actor,
        "action": action,
        "outcome": outcome,
        "run_id": run_id,
        "step_id": step_id,
        "detail": detail or {},
        "duration_ms": duration_ms,
        "reason": reason,
    }
    return int(session.execute(_INSERT, values).scalar_one())


def events_for_run(session: Session, run_id: str) -> list[AuditEvent]:
    """The run's events in the order they happened."""
    query = (
        select(AuditEvent).where(AuditEvent.run_id == run_id).order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(session.scalars(query))


def recent(session: Session, *, limit: int = 100) -> list[AuditEvent]:
    """The latest events across all runs, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(query))
