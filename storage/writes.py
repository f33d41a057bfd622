"""The two kinds of guarded write every query module makes, on either backend."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Insert, Table
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
    statement = _insert_if_absent(
        session.get_bind().dialect.name, table_of(model), tuple(unique_on)
    )
    return session.execute(statement, values).first() is not None


@functools.cache
def _insert_if_absent(dialect: str, table: Table, unique_on: tuple[str, ...]) -> Insert:
    """Built once per table: its values come as parameters, so the statement's cache key
    and compiled form are reused instead of being built on every call."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=unique_on)
        .returning(*table.primary_key.columns)  # rowcount of an INSERT is not portable
    )
