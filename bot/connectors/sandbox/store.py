"""The sandbox's state: one JSON document per (collection, key) in ``sandbox_records``.

Handlers read and change documents through a ``Store`` bound to the call's transaction.
Writes are serialized by ``take_write_lock`` so that read-check-write rules (a refund
limit, a PTO balance, the next issue key) hold even when several threads or processes
call the sandbox at once.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.catalogue.operation import Result
from bot.connectors.base import ToolError
from storage.models import SandboxRecord

Document = dict[str, Any]
Handler = Callable[["Store", Any, dt.datetime], Result]
"""Performs one operation: the store, the parsed arguments model and the current time."""

_WRITE_LOCK_ID = 0x5A0B07  # any constant; names the sandbox's PostgreSQL advisory lock


@dataclass(frozen=True)
class Kind:
    """One kind of record and how its tool names it, for errors a person can act on."""

    collection: str
    noun: str
    tool: str

    def missing(self, key: str) -> ToolError:
        """The refusal for an id the tool does not know: ``no order 999 in the sandbox CRM``."""
        return ToolError(f"no {self.noun} {key} in the sandbox {self.tool}")


COUNTERS = Kind("sandbox.counters", "counter", "sandbox")


class Store:
    """The documents, read and written inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self, kind: Kind, key: str) -> Document | None:
        """A copy of the document (change it freely, then ``save``), or None."""
        row = self._session.get(SandboxRecord, (kind.collection, key))
        return None if row is None else copy.deepcopy(row.data)

    def require(self, kind: Kind, key: str) -> Document:
        """The document, or the tool's refusal for an unknown id."""
        document = self.find(kind, key)
        if document is None:
            raise kind.missing(key)
        return document

    def all(self, kind: Kind) -> list[Document]:
        """Every document of a kind, by key."""
        rows = self._session.scalars(
            select(SandboxRecord)
            .where(SandboxRecord.collection == kind.collection)
            .order_by(SandboxRecord.key)
        )
        return [copy.deepcopy(row.data) for row in rows]

    def save(self, kind: Kind, key: str, document: Document, now: dt.datetime) -> None:
        """Insert or replace one document."""
        row = self._session.get(SandboxRecord, (kind.collection, key))
        if row is None:
            self._session.add(
                SandboxRecord(collection=kind.collection, key=key, data=document, updated_at=now)
            )
        else:
            row.data = document
            row.updated_at = now

    def next_number(self, counter: str, now: dt.datetime) -> int:
        """The next number of a sequence (1, 2, ...): refund, message and event ids."""
        current = self.find(COUNTERS, counter)
        number = 1 if current is None else int(current["last"]) + 1
        self.save(COUNTERS, counter, {"last": number}, now)
        return number


def record_reader(kind: Kind, result: type[Result], id_argument: str) -> Handler:
    """A handler that returns one stored document as ``result``: the tools' plain reads."""

    def read(store: Store, args: Any, now: dt.datetime) -> Result:
        return result.model_validate(store.require(kind, getattr(args, id_argument)))

    return read


def take_write_lock(session: Session) -> None:
    """Serialize sandbox writes: first statement of every writing transaction.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write that changes nothing,
    which takes the database's write lock (waiting out the busy timeout) before any read.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _WRITE_LOCK_ID})
    else:
        session.execute(text("UPDATE sandbox_records SET key = key WHERE 0 = 1"))


def iso(moment: dt.datetime | dt.date) -> str:
    """How documents store times and dates."""
    return moment.isoformat()


def parse_time(value: str) -> dt.datetime:
    """A stored time, back as an aware datetime."""
    return dt.datetime.fromisoformat(value)
