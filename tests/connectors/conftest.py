"""A seeded sandbox on each backend, a clock that moves only when told, and ways to call an
operation the way the engine does and to look at what the tools kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.catalogue.registry import build_catalogue
from bot.clock.time import ManualClock
from bot.connectors.base import ToolError
from bot.connectors.sandbox import SandboxTools, seed
from bot.connectors.sandbox.store import Document, Kind, Store
from storage.database import Database
from storage.models import SandboxCall
from tests.engine.conftest import make_harness as make_harness  # the engine tests' harness

SEEDED_AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


Call = Callable[..., dict[str, Any]]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SEEDED_AT)


@pytest.fixture
def sandbox(database: Database, clock: ManualClock) -> SandboxTools:
    seed(database, clock.now())
    return SandboxTools(database, clock.now)


@pytest.fixture
def call(sandbox: SandboxTools) -> Call:
    """Invoke an operation with arguments validated and dumped as the engine does."""
    catalogue = build_catalogue()

    def perform(
        name: str, arguments: dict[str, Any] | None = None, /, *, key: str | None = None
    ) -> dict[str, Any]:
        operation = catalogue.get(name)
        assert operation is not None, name
        dumped = operation.args.model_validate(arguments or {}).model_dump(
            mode="json", by_alias=True
        )
        return sandbox.invoke(operation, dumped, idempotency_key=key)

    return perform


@pytest.fixture
def refusal(call: Call) -> Callable[[str, dict[str, Any]], str]:
    """The message of a call the tool refuses for good (not worth retrying)."""

    def attempt(name: str, arguments: dict[str, Any]) -> str:
        with pytest.raises(ToolError) as caught:
            call(name, arguments)
        assert caught.value.retryable is False
        return str(caught.value)

    return attempt


@pytest.fixture
def logged(database: Database) -> Callable[..., list[SandboxCall]]:
    """The call log (optionally of one operation), oldest first."""

    def rows(operation: str | None = None) -> list[SandboxCall]:
        query = select(SandboxCall).order_by(SandboxCall.id)
        if operation is not None:
            query = query.where(SandboxCall.operation == operation)
        with database.session(read_only=True) as session:
            return list(session.scalars(query))

    return rows


@pytest.fixture
def stored(database: Database) -> Callable[[Kind, str], Document | None]:
    """What a tool keeps that no read operation shows (the outbox, channel messages)."""

    def find(kind: Kind, key: str) -> Document | None:
        with database.session(read_only=True) as session:
            return Store(session).find(kind, key)

    return find
