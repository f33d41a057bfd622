"""Row locks for decisions, always taken in one order: a run's row first, then its approvals.

Deciding, cancelling and timing out each change a run and its approvals in one transaction.
Were one to lock the approval first and another the run first, two of them at once could
deadlock on PostgreSQL; taking the run first everywhere makes them queue instead. Under the
approval's lock, the votes of an N-of-M are counted with every earlier vote committed.

The locks are ``FOR NO KEY UPDATE``, the lock an UPDATE takes anyway, so rows that only
refer to the run (journal, audit, timers) are still inserted freely. On SQLite a writing
transaction holds the database's write lock from ``BEGIN IMMEDIATE``, and the clause
renders as nothing.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Approval, Run

Row = TypeVar("Row", Run, Approval)


def run_then_approval(session: Session, approval_id: str) -> tuple[Run, Approval] | None:
    """The approval's run and the approval, as committed now and locked until the
    transaction ends; None if either is gone."""
    run_id = session.scalar(select(Approval.run_id).where(Approval.id == approval_id))
    if run_id is None:
        return None
    run = _locked(session, Run, run_id)
    approval = _locked(session, Approval, approval_id)
    if run is None or approval is None:
        return None
    return run, approval


def run_then_pending(session: Session, run_id: str) -> tuple[Run, list[Approval]] | None:
    """The run and its undecided approvals and tasks (oldest first), all locked; None if
    there is no such run."""
    run = _locked(session, Run, run_id)
    if run is None:
        return None
    query = (
        select(Approval)
        .where(Approval.run_id == run_id, Approval.status == "pending")
        .order_by(Approval.created_at, Approval.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return run, list(session.scalars(query))


def _locked(session: Session, model: type[Row], row_id: str) -> Row | None:
    query = (
        select(model)
        .where(model.id == row_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).first()
