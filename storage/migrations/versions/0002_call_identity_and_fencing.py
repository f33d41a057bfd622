"""Every call gets an identity of its own; every timer claim gets a fencing token.

The step journal loses its per-run ``seq`` (numbered by reading the last one, so two
writers could collide) and gains ``owner_kind`` and ``call_no``: a call is identified by
(run, owner, call number), unique in the database, where the owner is a step or an SLA
link. SLA link calls were journalled under ``step_id = 'sla:<clock>:<event><i>:<position>'``;
they become owner ``sla``, step ``<clock>:<event><i>``, call ``position + 1``.

Timers gain ``claims`` (incremented by every claim: the token a holder shows on each
commit, so a holder whose lease was taken over is refused) and ``takeovers`` (claims
taken from a holder whose lease ran out: a run that keeps stopping workers is set aside).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JOURNAL = sa.table(
    "step_journal",
    sa.column("id", sa.Integer),
    sa.column("run_id", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("step_id", sa.String),
    sa.column("owner_kind", sa.String),
    sa.column("call_no", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("step_journal") as batch:
        batch.add_column(
            sa.Column("owner_kind", sa.String(length=8), nullable=False, server_default="step")
        )
        batch.add_column(sa.Column("call_no", sa.Integer(), nullable=False, server_default="1"))
    _number_existing_calls()
    with op.batch_alter_table("step_journal") as batch:
        batch.alter_column("owner_kind", server_default=None)
        batch.alter_column("call_no", server_default=None)
        batch.drop_constraint("uq_step_journal_run_id_seq", type_="unique")
        batch.drop_column("seq")
        batch.create_unique_constraint(
            "uq_step_journal_run_id_owner_kind_step_id_call_no",
            ["run_id", "owner_kind", "step_id", "call_no"],
        )
    with op.batch_alter_table("timers") as batch:
        batch.add_column(sa.Column("claims", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("takeovers", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("timers") as batch:
        batch.alter_column("claims", server_default=None)
        batch.alter_column("takeovers", server_default=None)


def _number_existing_calls() -> None:
    """Give every existing entry its owner and call number (in journal order)."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_JOURNAL.c.id, _JOURNAL.c.run_id, _JOURNAL.c.step_id).order_by(
            _JOURNAL.c.run_id, _JOURNAL.c.seq
        )
    ).all()
    counts: dict[tuple[str, str, str], int] = {}
    for row in rows:
        owner_kind, step_id, call_no = "step", row.step_id, None
        if row.step_id.startswith("sla:"):
            link, _, position = row.step_id.removeprefix("sla:").rpartition(":")
            owner_kind, step_id = "sla", link
            call_no = int(position) + 1 if position.isdigit() else None
        identity = (row.run_id, owner_kind, step_id)
        counts[identity] = call_no or counts.get(identity, 0) + 1
        connection.execute(
            _JOURNAL.update()
            .where(_JOURNAL.c.id == row.id)
            .values(owner_kind=owner_kind, step_id=step_id, call_no=counts[identity])
        )


def downgrade() -> None:
    with op.batch_alter_table("timers") as batch:
        batch.drop_column("takeovers")
        batch.drop_column("claims")
    with op.batch_alter_table("step_journal") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            _JOURNAL.c.id,
            _JOURNAL.c.run_id,
            _JOURNAL.c.owner_kind,
            _JOURNAL.c.step_id,
            _JOURNAL.c.call_no,
        ).order_by(_JOURNAL.c.run_id, _JOURNAL.c.id)
    ).all()
    seq: dict[str, int] = {}
    for row in rows:
        seq[row.run_id] = seq.get(row.run_id, 0) + 1
        step_id = (
            f"sla:{row.step_id}:{row.call_no - 1}" if row.owner_kind == "sla" else row.step_id
        )
        connection.execute(
            _JOURNAL.update()
            .where(_JOURNAL.c.id == row.id)
            .values(seq=seq[row.run_id], step_id=step_id)
        )
    with op.batch_alter_table("step_journal") as batch:
        batch.alter_column("seq", server_default=None)
        batch.drop_constraint("uq_step_journal_run_id_owner_kind_step_id_call_no", type_="unique")
        batch.drop_column("call_no")
        batch.drop_column("owner_kind")
        batch.create_unique_constraint("uq_step_journal_run_id_seq", ["run_id", "seq"])
