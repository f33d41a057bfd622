"""Approvals and human tasks, and their votes. Pending → decided happens once: the decision
is an UPDATE guarded by ``status = 'pending'``, so of two clicks exactly one lands."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Approval, ApprovalVote, Run
from storage.writes import insert_if_absent, rows_changed


def open_approval(session: Session, approval: Approval) -> None:
    """Store a new approval or task (its run must exist)."""
    session.add(approval)
    session.flush()


def get_approval(session: Session, approval_id: str) -> Approval | None:
    """The approval as stored now, or None."""
    return session.get(Approval, approval_id, populate_existing=True)


def with_run(session: Session, approval_id: str) -> tuple[Approval, Run] | None:
    """The approval and its run, read in one statement so both show the same moment (a run
    cancelled a moment ago never appears beside its approval still pending); None if gone."""
    query = (
        select(Approval, Run)
        .join(Run, Run.id == Approval.run_id)
        .where(Approval.id == approval_id)
        .execution_options(populate_existing=True)
    )
    row = session.execute(query).first()
    return None if row is None else (row[0], row[1])


def record_vote(
    session: Session,
    *,
    approval_id: str,
    user_id: str,
    decision: str,
    reason: str | None,
    at: datetime,
) -> bool:
    """Count one person's vote; False (and nothing changes) when they already voted."""
    return insert_if_absent(
        session,
        ApprovalVote,
        unique_on=("approval_id", "user_id"),
        values={
            "approval_id": approval_id,
            "user_id": user_id,
            "decision": decision,
            "reason": reason,
            "at": at,
        },
    )


def votes(session: Session, approval_id: str) -> list[ApprovalVote]:
    """The approval's votes in the order they were cast."""
    query = (
        select(ApprovalVote)
        .where(ApprovalVote.approval_id == approval_id)
        .order_by(ApprovalVote.at, ApprovalVote.id)
    )
    return list(session.scalars(query))


def cas_decide(
    session: Session,
    approval_id: str,
    *,
    status: str,
    decided_by: str | None,
    reason: str | None,
    at: datetime,
    response: dict[str, Any] | None = None,
) -> bool:
    """Decide the approval if it is still pending; True if this call decided it."""
    statement = (
        update(Approval)
        .where(Approval.id == approval_id, Approval.status == "pending")
        .values(
            status=status,
            decided_by=decided_by,
            reason=reason,
            decided_at=at,
            response=response,
            version=Approval.version + 1,
        )
    )
    return rows_changed(session, statement) == 1


def pending_for_run(session: Session, run_id: str) -> list[Approval]:
    """The run's undecided approvals and tasks, oldest first."""
    query = (
        select(Approval)
        .where(Approval.run_id == run_id, Approval.status == "pending")
        .order_by(Approval.created_at, Approval.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def list_pending(session: Session, *, limit: int = 50) -> list[Approval]:
    """Undecided approvals and tasks across all runs, the soonest due first."""
    query = (
        select(Approval)
        .where(Approval.status == "pending")
        .order_by(Approval.due_at, Approval.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def cards(session: Session, approval_ids: Collection[str]) -> dict[str, dict[str, Any]]:
    """Where each approval's card landed, for those whose card was posted."""
    if not approval_ids:
        return {}
    rows = session.execute(
        select(Approval.id, Approval.card).where(Approval.id.in_(list(approval_ids)))
    )
    return {row.id: row.card for row in rows if row.card}


def set_card(session: Session, approval_id: str, card: dict[str, Any]) -> None:
    """Remember where the approval's card was posted. ``LookupError`` if there is none."""
    statement = update(Approval).where(Approval.id == approval_id).values(card=card)
    if rows_changed(session, statement) == 0:
        raise LookupError(f"no approval {approval_id}")
