"""The modes procedures' owners set with ``/sop mode``: one row per procedure, the latest
setting wins. Reading it is one primary-key lookup, so every start can afford it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import SopMode


def get(session: Session, sop_id: str) -> SopMode | None:
    """The mode set for ``sop_id``, or None while its file's ``mode`` stands."""
    return session.get(SopMode, sop_id, populate_existing=True)  # fresh after a ``put``


def put(
    session: Session, *, sop_id: str, mode: str, set_by: str, at: datetime, reason: str | None
) -> None:
    """Set ``sop_id``'s mode, replacing any earlier setting (two owners at once: the later
    commit wins, and each is audited by the caller)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {"mode": mode, "set_by": set_by, "set_at": at, "reason": reason}
    statement = (
        dialect.insert(SopMode)
        .values(sop_id=sop_id, **values)
        .on_conflict_do_update(index_elements=["sop_id"], set_=values)
    )
    session.execute(statement)


def all_set(session: Session) -> dict[str, str]:
    """Every procedure's mode an owner set, by procedure id (for listings)."""
    return {row.sop_id: row.mode for row in session.scalars(select(SopMode))}
