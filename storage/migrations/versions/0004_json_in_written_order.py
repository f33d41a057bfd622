"""JSON columns keep the order they were written in, on PostgreSQL too.

PostgreSQL's ``jsonb`` stores an object's keys sorted by length, so an approval card's facts
and a call's arguments came back in another order than the procedure wrote them (SQLite
keeps the text). Every JSON column becomes ``json``, which keeps the text as written. Values
already stored keep the order ``jsonb`` gave them; new ones keep theirs. SQLite: nothing
changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "runs": ("trigger", "inputs", "state", "thread"),
    "step_journal": ("request", "response"),
    "approvals": ("package", "deciders", "response", "card"),
    "timers": ("payload",),
    "audit_events": ("detail",),
    "sandbox_records": ("data",),
    "sandbox_calls": ("arguments", "result"),
}


def upgrade() -> None:
    _retype("json")


def downgrade() -> None:
    _retype("jsonb")


def _retype(kind: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        changes = ", ".join(
            f"ALTER COLUMN {column} TYPE {kind} USING {column}::{kind}" for column in columns
        )
        op.execute(f"ALTER TABLE {table} {changes}")
