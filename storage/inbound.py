"""Keys of inbound requests already handled: a redelivered Slack event, a retried webhook or
a double click is recognised by its key and changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.models import InboundKey
from storage.writes import insert_if_absent, rows_changed


def remember(session: Session, *, key: str, source: str, at: datetime) -> bool:
    """True the first time ``key`` is seen, False for every repeat."""
    return insert_if_absent(
        session,
        InboundKey,
        unique_on=("key",),
        values={"key": key, "source": source, "received_at": at},
    )


def forget_older_than(session: Session, cutoff: datetime) -> int:
    """Drop keys received before ``cutoff`` (past any redelivery window); how many."""
    return rows_changed(session, delete(InboundKey).where(InboundKey.received_at < cutoff))
