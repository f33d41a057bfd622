"""The initial schema: every table in storage/models.py, and an append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The column types as they were at this revision (migrations never import the live models).
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC = sa.DateTime(timezone=True)

AUDIT_GUARD_POSTGRESQL = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""
AUDIT_GUARD_SQLITE = (
    """
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END
""",
    """
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END
""",
)


def upgrade() -> None:
    op.create_table(
        "sop_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("file", sa.String(length=500), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sop_versions")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_sop_versions_content_hash")),
    )
    op.create_index(op.f("ix_sop_versions_sop_id"), "sop_versions", ["sop_id"])

    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("sop_id", sa.String(length=100), nullable=False),
        sa.Column("sop_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.String(length=100), nullable=True),
        sa.Column("trigger", JSON, nullable=False),
        sa.Column("inputs", JSON, nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("cursor", sa.String(length=100), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("waiting_on", sa.String(length=32), nullable=True),
        sa.Column("thread", JSON, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["sop_hash"],
            ["sop_versions.content_hash"],
            name=op.f("fk_runs_sop_hash_sop_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_sop_id"), "runs", ["sop_id"])
    op.create_index(op.f("ix_runs_status"), "runs", ["status"])

    op.create_table(
        "step_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("operation", sa.String(length=100), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("request", JSON, nullable=True),
        sa.Column("response", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_step_journal_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_journal")),
        sa.UniqueConstraint("run_id", "seq", name=op.f("uq_step_journal_run_id_seq")),
    )
    op.create_index(op.f("ix_step_journal_run_id"), "step_journal", ["run_id"])

    op.create_table(
        "approvals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("step_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("package", JSON, nullable=False),
        sa.Column("package_hash", sa.String(length=64), nullable=False),
        sa.Column("deciders", JSON, nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("allow_starter", sa.Boolean(), nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("response", JSON, nullable=True),
        sa.Column("card", JSON, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_approvals_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    op.create_index(op.f("ix_approvals_run_id"), "approvals", ["run_id"])
    op.create_index(op.f("ix_approvals_status"), "approvals", ["status"])

    op.create_table(
        "approval_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("approval_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["approvals.id"],
            name=op.f("fk_approval_votes_approval_id_approvals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_votes")),
        sa.UniqueConstraint(
            "approval_id", "user_id", name=op.f("uq_approval_votes_approval_id_user_id")
        ),
    )
    op.create_index(op.f("ix_approval_votes_approval_id"), "approval_votes", ["approval_id"])

    op.create_table(
        "timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("lease_until", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("fired_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_timers_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
    )
    op.create_index(op.f("ix_timers_run_id"), "timers", ["run_id"])
    op.create_index("ix_timers_status_due", "timers", ["status", "due_at"])

    op.create_table(
        "sla_clocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("clock_id", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("deadline_at", UTC, nullable=False),
        sa.Column("stopped_at", UTC, nullable=True),
        sa.Column("breached_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_sla_clocks_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_clocks")),
        sa.UniqueConstraint("run_id", "clock_id", name=op.f("uq_sla_clocks_run_id_clock_id")),
    )
    op.create_index(op.f("ix_sla_clocks_run_id"), "sla_clocks", ["run_id"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=True),
        sa.Column("step_id", sa.String(length=100), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("duration_ms", sa.Double(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_index(op.f("ix_audit_events_run_id"), "audit_events", ["run_id"])
    if op.get_context().dialect.name == "postgresql":
        op.execute(AUDIT_GUARD_POSTGRESQL)
    else:
        for statement in AUDIT_GUARD_SQLITE:
            op.execute(statement)

    op.create_table(
        "inbound_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_inbound_keys")),
    )
    op.create_index(op.f("ix_inbound_keys_received_at"), "inbound_keys", ["received_at"])

    op.create_table(
        "sandbox_records",
        sa.Column("collection", sa.String(length=50), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("collection", "key", name=op.f("pk_sandbox_records")),
    )

    op.create_table(
        "sandbox_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=100), nullable=False),
        sa.Column("arguments", JSON, nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_calls")),
    )
    op.create_index(op.f("ix_sandbox_calls_idempotency_key"), "sandbox_calls", ["idempotency_key"])
    op.create_index(op.f("ix_sandbox_calls_operation"), "sandbox_calls", ["operation"])


def downgrade() -> None:
    # Dropping a table drops its indexes and triggers; the PostgreSQL trigger function stays.
    for table in (
        "sandbox_calls",
        "sandbox_records",
        "inbound_keys",
        "audit_events",
        "sla_clocks",
        "timers",
        "approval_votes",
        "approvals",
        "step_journal",
        "runs",
        "sop_versions",
    ):
        op.drop_table(table)
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_events_append_only()")
