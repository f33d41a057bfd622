"""The audit log keeps every event in order and cannot be rewritten, not even by raw SQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from storage import audit
from storage.database import Database
from storage.models import AuditEvent

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def _append(database: Database, action: str, at: dt.datetime, run_id: str | None = "run-1") -> int:
    with database.session() as session:
        return audit.append(
            session, at=at, actor="sopbot", action=action, outcome="ok", run_id=run_id
        )


def test_an_event_keeps_who_did_what_how_long_and_why(database: Database) -> None:
    with database.session() as session:
        audit.append(
            session,
            at=T0,
            actor="U7",
            action="crm.refund",
            outcome="escalated",
            run_id="run-1",
            step_id="refund",
            detail={"amount": 120, "token": "***"},
            duration_ms=84.5,
            reason="amount above the limit",
        )
    with database.session() as session:
        (event,) = audit.events_for_run(session, "run-1")

    assert (event.at, event.actor, event.action, event.outcome, event.step_id) == (
        T0,
        "U7",
        "crm.refund",
        "escalated",
        "refund",
    )
    assert (event.detail, event.duration_ms, event.reason) == (
        {"amount": 120, "token": "***"},
        84.5,
        "amount above the limit",
    )


def test_a_runs_events_come_in_time_order_and_ties_in_insertion_order(
    database: Database,
) -> None:
    _append(database, "approve", T0 + SECOND)
    _append(database, "start", T0)
    _append(database, "notify", T0 + SECOND)
    _append(database, "elsewhere", T0, run_id="run-2")

    with database.session() as session:
        actions = [event.action for event in audit.events_for_run(session, "run-1")]

    assert actions == ["start", "approve", "notify"]


def test_recent_events_are_newest_first_across_runs(database: Database) -> None:
    for second, action in enumerate(["start", "lookup", "refund", "notify"]):
        _append(database, action, T0 + second * SECOND, run_id=f"run-{second % 2}")

    with database.session() as session:
        latest = [event.action for event in audit.recent(session, limit=3)]

    assert latest == ["notify", "refund", "lookup"]


def test_the_database_refuses_to_change_or_delete_an_event(database: Database) -> None:
    event_id = _append(database, "crm.refund", T0)

    for rewrite in (
        update(AuditEvent).where(AuditEvent.id == event_id).values(outcome="ok, honestly"),
        delete(AuditEvent).where(AuditEvent.id == event_id),
    ):
        with pytest.raises(DBAPIError, match="append-only"), database.session() as session:
            session.execute(rewrite)

    with database.session() as session:
        (event,) = audit.events_for_run(session, "run-1")
    assert (event.id, event.outcome) == (event_id, "ok")
