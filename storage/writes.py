"""The two kinds of guarded write every query module makes, on either backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Table, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session


def table_of(model: type[DeclarativeBase]) -> Table:
    """A model's Core table, for statements built once and run on every step."""
    return cast(Table, model.__table__)


def rows_changed(
    session: Session, statement: Executable, parameters: dict[str, Any] | None = None
) -> int:
    """Run an UPDATE or DELETE; how many rows it changed (a lost compare-and-set is 0)."""
    # no ORM session synchronisation: callers re-read what they need
    result = cast(
        CursorResult[Any],
        session.execute(statement, parameters, execution_options={"synchronize_session": False}),
    )
    return result.rowcount


def insert_if_absent(
    session: Session,
    model: type[DeclarativeBase],
    *,
    unique_on: Sequence[str],
    values: dict[str, Any],
) -> bool:
    """Insert one row unless a row with the same ``unique_on`` columns exists.

    ``ON CONFLICT DO NOTHING`` on both backends: a duplicate raises nothing and leaves the
    transaction usable, and a concurrent insert of the same key waits for the other
    transaction instead of failing. True when this call inserted the row.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique_on)
        .returning(*inspect(model).primary_key)  # rowcount of an INSERT is not portable
    )
    return session.execute(statement).first() is not None
