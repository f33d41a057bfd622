"""Typed read models: what surfaces show about procedures, runs, approvals and the audit.

Frozen values copied out of the database inside one read, so no ORM row (and no lazy load
or session) crosses the front door; a Slack view, a console line and a test read the same
fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.engine.errors import RunNotFound
from bot.engine.state import read_stored
from bot.engine.status import RunStatus
from bot.library import Library
from bot.procedure.inputs import InputSpec
from bot.procedure.model import Procedure
from storage import approvals, audit, journal, runs, sop_modes
from storage.database import Database
from storage.models import Approval, AuditEvent, Run, StepRecord


@dataclass(frozen=True)
class ProcedureEntry:
    """A served procedure and how it starts."""

    id: str
    title: str
    mode: str
    command: str | None
    schedule: str | None
    """``cron timezone`` when it runs on a schedule."""
    events: tuple[str, ...]
    """``source type`` of each event that starts it."""


@dataclass(frozen=True)
class ProcedureList:
    """The procedures a person may start, and the SOP files skipped as broken."""

    procedures: tuple[ProcedureEntry, ...]
    broken_files: tuple[str, ...]


@dataclass(frozen=True)
class RunSummary:
    """One run as a line of history."""

    id: str
    sop_id: str
    status: str
    mode: str
    started_by: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class Escalation:
    """A run that ended handed to people, and why."""

    run: RunSummary
    reason: str | None


@dataclass(frozen=True)
class OpenItem:
    """An approval or task waiting for people."""

    id: str
    kind: str
    """``approval`` or ``task``."""
    run_id: str
    step_id: str
    summary: str
    deciders: tuple[str, ...]
    due_at: dt.datetime
    fields: tuple[tuple[str, InputSpec], ...]
    """A task's answers, by name; empty for an approval."""
    options: tuple[str, ...] = ()
    """A choice's option labels, in order; empty for anything else."""


@dataclass(frozen=True)
class StepLine:
    """One entry of a run's step journal."""

    step_id: str
    sla_link: bool
    """True for a call made by an SLA clock's escalation link, not by a step."""
    operation: str | None
    status: str
    error: str | None


@dataclass(frozen=True)
class RunDetail:
    """A run, what it waits for and every step it took: for ``/sop status``."""

    run: RunSummary
    cursor: str | None
    reason: str | None
    waiting_for: tuple[OpenItem, ...]
    steps: tuple[StepLine, ...]
    result: dict[str, Any] = field(default_factory=dict)
    """The result values its end or escalate step set (``decision: suspend``)."""


@dataclass(frozen=True)
class AuditEntry:
    """One audited action or decision (secrets were masked before it was stored)."""

    at: dt.datetime
    actor: str
    action: str
    outcome: str
    run_id: str | None
    step_id: str | None
    detail: dict[str, Any]
    duration_ms: float | None
    reason: str | None


def procedure_list(library: Library, database: Database) -> ProcedureList:
    """Every served procedure in its current mode (an owner's ``/sop mode`` over its
    file's), sorted by id, and the files that failed validation."""
    with database.session(read_only=True) as session:
        set_modes = sop_modes.all_set(session)
    entries = tuple(
        _procedure(served.procedure, set_modes.get(served.procedure.id, served.procedure.mode))
        for served in sorted(library.procedures.values(), key=lambda s: s.procedure.id)
    )
    broken = sorted(
        {diagnostic.file for diagnostic in library.diagnostics if diagnostic.severity == "error"}
    )
    return ProcedureList(entries, tuple(broken))


def run_detail(database: Database, run_id: str) -> RunDetail:
    """A run, its open approvals and tasks, and its step journal; ``RunNotFound`` if none."""
    with database.session(read_only=True) as session:
        run = runs.get_run(session, run_id)
        if run is None:
            raise RunNotFound(f"no run {run_id}")
        return RunDetail(
            run=summary(run),
            cursor=run.cursor,
            reason=run.reason,
            waiting_for=tuple(
                open_item(item) for item in approvals.pending_for_run(session, run_id)
            ),
            steps=tuple(_step(record) for record in journal.steps_for_run(session, run_id)),
            result=read_stored(run.state)[1].result,
        )


def history(
    database: Database, *, sop_id: str | None = None, started_by: str | None = None, limit: int = 20
) -> list[RunSummary]:
    """Recent runs, newest first."""
    with database.session(read_only=True) as session:
        found = runs.list_runs(session, sop_id=sop_id, started_by=started_by, limit=limit)
        return [summary(run) for run in found]


def escalations(database: Database, *, limit: int = 10) -> list[Escalation]:
    """Recently escalated runs, newest first."""
    with database.session(read_only=True) as session:
        found = runs.list_runs(session, status=RunStatus.ESCALATED, limit=limit)
        return [Escalation(summary(run), run.reason) for run in found]


def open_items(database: Database, limit: int = 50) -> list[OpenItem]:
    """Approvals and tasks waiting for someone, soonest due first."""
    with database.session(read_only=True) as session:
        return [open_item(item) for item in approvals.list_pending(session, limit=limit)]


def audit_trail(database: Database, run_id: str) -> list[AuditEntry]:
    """Every audited event of a run, in order."""
    with database.session(read_only=True) as session:
        return [_audit_entry(event) for event in audit.events_for_run(session, run_id)]


def summary(run: Run) -> RunSummary:
    """A run row as a history line."""
    return RunSummary(
        id=run.id,
        sop_id=run.sop_id,
        status=run.status,
        mode=run.mode,
        started_by=run.started_by,
        created_at=run.created_at,
        finished_at=run.finished_at,
    )


def open_item(approval: Approval) -> OpenItem:
    """An approval or task row as people see it waiting."""
    return OpenItem(
        id=approval.id,
        kind=approval.kind,
        run_id=approval.run_id,
        step_id=approval.step_id,
        summary=str(approval.package.get("summary", "")),
        deciders=tuple(approval.deciders),
        due_at=approval.due_at,
        fields=tuple(
            (name, InputSpec.model_validate(spec))
            for name, spec in approval.package.get("fields", {}).items()
        ),
        options=tuple(str(option["label"]) for option in approval.package.get("options", [])),
    )


def _procedure(procedure: Procedure, mode: str) -> ProcedureEntry:
    trigger = procedure.trigger
    schedule = trigger.schedule
    return ProcedureEntry(
        id=procedure.id,
        title=procedure.title,
        mode=mode,
        command=trigger.command,
        schedule=f"{schedule.cron} {schedule.timezone}" if schedule else None,
        events=tuple(f"{event.source} {event.type}" for event in trigger.events),
    )


def _step(record: StepRecord) -> StepLine:
    return StepLine(
        step_id=record.step_id,
        sla_link=record.owner_kind == "sla",
        operation=record.operation,
        status=record.status,
        error=record.error,
    )


def _audit_entry(event: AuditEvent) -> AuditEntry:
    return AuditEntry(
        at=event.at,
        actor=event.actor,
        action=event.action,
        outcome=event.outcome,
        run_id=event.run_id,
        step_id=event.step_id,
        detail=dict(event.detail),
        duration_ms=event.duration_ms,
        reason=event.reason,
    )
