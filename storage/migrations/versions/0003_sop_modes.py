"""A procedure's owners change its mode without editing its file: ``sop_modes``.

One row per procedure whose mode was set with ``/sop mode``: the mode, who set it, when and
why. Runs started afterwards take it instead of the file's ``mode``; runs already in flight
keep the mode they started in (``runs.mode``). No existing data changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sop_modes",
        sa.Column("sop_id", sa.String(length=100), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("sop_id", name=op.f("pk_sop_modes")),
    )


def downgrade() -> None:
    op.drop_table("sop_modes")
