"""The tables. Every clock is a row here (the truth); APScheduler only wakes the engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import JsonColumn, UtcDateTime

# Every constraint gets a predictable name, so a later migration can alter or drop it
# (SQLite's batch mode rebuilds tables and can only drop constraints it can name).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: UtcDateTime(),
        dict[str, Any]: JsonColumn,
        list[Any]: JsonColumn,
    }


class SopVersion(Base):
    """One exact text of a procedure; runs pin it by content hash."""

    __tablename__ = "sop_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(Text)
    file: Mapped[str] = mapped_column(String(500))
    author: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]


class SopMode(Base):
    """A procedure's mode as its owners set it with ``/sop mode``: it overrides the file's
    ``mode`` for runs started from then on (runs in flight keep the mode they started in)."""

    __tablename__ = "sop_modes"

    sop_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), doc="shadow, assist or autonomous")
    set_by: Mapped[str] = mapped_column(String(100), doc="the owner's Slack user ID")
    set_at: Mapped[dt.datetime]
    reason: Mapped[str | None] = mapped_column(Text)


class Run(Base):
    """One execution of a procedure. ``version`` guards every update (compare-and-set)."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sop_id: Mapped[str] = mapped_column(String(100), index=True)
    sop_hash: Mapped[str] = mapped_column(ForeignKey("sop_versions.content_hash"))
    status: Mapped[str] = mapped_column(String(32), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    started_by: Mapped[str | None] = mapped_column(String(100))
    trigger: Mapped[dict[str, Any]]
    inputs: Mapped[dict[str, Any]]
    state: Mapped[dict[str, Any]] = mapped_column(doc="saved outputs and computed values by name")
    cursor: Mapped[str | None] = mapped_column(String(100), doc="the step to run next")
    attempt: Mapped[int] = mapped_column(default=0, doc="tries of the current step so far")
    waiting_on: Mapped[str | None] = mapped_column(String(32), doc="timer, approval, task or lease")
    thread: Mapped[dict[str, Any] | None] = mapped_column(
        JsonColumn, doc="where the run talks in chat"
    )
    reason: Mapped[str | None] = mapped_column(Text, doc="why it ended, failed or escalated")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]


class StepRecord(Base):
    """The call journal: every call made on a run's behalf, written before and after it runs.

    A call's identity is (run, owner, call number): the owner is a step of the run
    (``owner_kind`` ``step``, ``step_id`` the step) or a link of an SLA clock (``sla``,
    ``step_id`` the link), and each owner numbers its own calls. The database refuses a
    second entry with the same identity, so no two processes can journal the same call.
    """

    __tablename__ = "step_journal"
    __table_args__ = (UniqueConstraint("run_id", "owner_kind", "step_id", "call_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(8), default="step", doc="step or sla")
    step_id: Mapped[str] = mapped_column(String(100), doc="the owning step, or SLA link")
    call_no: Mapped[int] = mapped_column(default=1, doc="the owner's calls, numbered from 1")
    kind: Mapped[str] = mapped_column(String(16))
    operation: Mapped[str | None] = mapped_column(String(100))
    attempt: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(
        String(16), doc="started, succeeded, failed, skipped, would_do, unknown"
    )
    request: Mapped[dict[str, Any] | None] = mapped_column(JsonColumn)
    response: Mapped[dict[str, Any] | None] = mapped_column(JsonColumn)
    error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]


class Approval(Base):
    """An approval or a human task: opened with a package, decided once."""

    __tablename__ = "approvals"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    step_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), doc="approval or task")
    status: Mapped[str] = mapped_column(
        String(16), index=True, doc="pending, approved, rejected, timed_out, completed, cancelled"
    )
    package: Mapped[dict[str, Any]]
    package_hash: Mapped[str] = mapped_column(String(64))
    deciders: Mapped[list[Any]] = mapped_column(
        doc="the Slack IDs (users or groups) who may decide"
    )
    required: Mapped[int] = mapped_column(default=1)
    allow_starter: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    response: Mapped[dict[str, Any] | None] = mapped_column(
        JsonColumn, doc="a task's reported fields"
    )
    card: Mapped[dict[str, Any] | None] = mapped_column(JsonColumn, doc="where the card was posted")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime]


class ApprovalVote(Base):
    """One person's decision on an approval; one vote per person (N of M counts these)."""

    __tablename__ = "approval_votes"
    __table_args__ = (UniqueConstraint("approval_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    approval_id: Mapped[str] = mapped_column(ForeignKey("approvals.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(16), doc="approve or reject")
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime]


class Timer(Base):
    """Due work: wake a run, retry a step, time out an approval, fire an SLA link, a schedule.

    Claimed with a lease by one process at a time; an expired lease makes it claimable again.
    """

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    due_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(
        String(16), default="pending", doc="pending, claimed, done, cancelled"
    )
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[dt.datetime | None]
    claims: Mapped[int] = mapped_column(
        default=0, doc="how often it was claimed: the fencing token of the current claim"
    )
    takeovers: Mapped[int] = mapped_column(
        default=0, doc="claims taken from a holder whose lease ran out (a worker died on it)"
    )
    created_at: Mapped[dt.datetime]
    fired_at: Mapped[dt.datetime | None]


class SlaClockRow(Base):
    """One SLA clock of one run."""

    __tablename__ = "sla_clocks"
    __table_args__ = (UniqueConstraint("run_id", "clock_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    clock_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), doc="running, met, breached, cancelled")
    started_at: Mapped[dt.datetime]
    deadline_at: Mapped[dt.datetime]
    stopped_at: Mapped[dt.datetime | None]
    breached_at: Mapped[dt.datetime | None]


class AuditEvent(Base):
    """Append-only: who or what did which action, when, with what, how long, and why."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    run_id: Mapped[str | None] = mapped_column(String(32), index=True)
    step_id: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(100), doc="a Slack user ID, or sopbot")
    action: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(doc="inputs and outputs, secrets masked")
    duration_ms: Mapped[float | None]
    reason: Mapped[str | None] = mapped_column(Text)


class InboundKey(Base):
    """Keys of requests already handled (Slack retries, webhook redeliveries, double clicks)."""

    __tablename__ = "inbound_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[dt.datetime] = mapped_column(
        index=True, doc="old keys are forgotten by age"
    )


class SandboxRecord(Base):
    """The embedded demo tools' data: one JSON document per (collection, key)."""

    __tablename__ = "sandbox_records"

    collection: Mapped[str] = mapped_column(String(50), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[dt.datetime]


class SandboxCall(Base):
    """Every write the sandbox tools performed: the count 'at the tool' that tests check."""

    __tablename__ = "sandbox_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation: Mapped[str] = mapped_column(String(100), index=True)
    arguments: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]
    idempotency_key: Mapped[str | None] = mapped_column(String(200), index=True)
    at: Mapped[dt.datetime]
