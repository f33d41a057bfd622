"""SLA clock rows. A clock ends once: met, cancelled or breached, each only while running."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import SlaClockRow
from storage.writes import rows_changed

STOP_STATUSES = ("met", "cancelled")


def start_clock(
    session: Session, *, run_id: str, clock_id: str, started_at: datetime, deadline_at: datetime
) -> SlaClockRow:
    """Start the run's clock ``clock_id`` (once per run)."""
    clock = SlaClockRow(
        run_id=run_id,
        clock_id=clock_id,
        status="running",
        started_at=started_at,
        deadline_at=deadline_at,
    )
    session.add(clock)
    session.flush()
    return clock


def running_clocks(session: Session, run_id: str) -> list[SlaClockRow]:
    """The run's clocks still running, nearest deadline first."""
    query = (
        select(SlaClockRow)
        .where(SlaClockRow.run_id == run_id, SlaClockRow.status == "running")
        .order_by(SlaClockRow.deadline_at, SlaClockRow.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def stop_clock(session: Session, run_id: str, clock_id: str, *, at: datetime, status: str) -> bool:
    """End a running clock as met or cancelled; False if it was not running."""
    if status not in STOP_STATUSES:
        raise ValueError(f"a clock stops as {' or '.join(STOP_STATUSES)}, not {status!r}")
    return _end_running_clock(session, run_id, clock_id, status=status, stopped_at=at)


def mark_breached(session: Session, run_id: str, clock_id: str, *, at: datetime) -> bool:
    """End a running clock as breached; False if it was not running."""
    return _end_running_clock(session, run_id, clock_id, status="breached", breached_at=at)


def _end_running_clock(session: Session, run_id: str, clock_id: str, **values: Any) -> bool:
    statement = (
        update(SlaClockRow)
        .where(
            SlaClockRow.run_id == run_id,
            SlaClockRow.clock_id == clock_id,
            SlaClockRow.status == "running",
        )
        .values(**values)
    )
    return rows_changed(session, statement) == 1
