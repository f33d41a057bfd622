"""The outbox's delivery record: where a queued message (a ``notify`` timer) landed in chat,
kept on the timer row itself, so the record lives and goes with the message it is about."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Timer
from storage.timers import Claim
from storage.writes import rows_changed

_LANDED = "delivered"


@dataclass(frozen=True)
class Delivery:
    """A queued message as a deliverer sees it just before posting."""

    held: bool
    """The deliverer's claim still holds the timer (no one took it over, no one finished it)."""
    landed: dict[str, Any] | None
    """Where the chat put it (a message reference as JSON), once some worker posted it."""


def deliveries(session: Session, claims: Collection[Claim]) -> dict[int, Delivery]:
    """For each claim, by timer id: whether it still holds the message's timer, and where
    the message landed if some worker posted it. One query for a whole batch."""
    if not claims:
        return {}
    rows = session.execute(
        select(Timer.id, Timer.status, Timer.claimed_by, Timer.claims, Timer.payload).where(
            Timer.id.in_([claim.timer_id for claim in claims])
        )
    )
    by_id = {row.id: row for row in rows}
    found: dict[int, Delivery] = {}
    for claim in claims:
        row = by_id.get(claim.timer_id)
        if row is None:
            found[claim.timer_id] = Delivery(held=False, landed=None)
            continue
        held = (row.status, row.claimed_by, row.claims) == ("claimed", claim.owner, claim.token)
        found[claim.timer_id] = Delivery(held=held, landed=row.payload.get(_LANDED))
    return found


def record_delivery(session: Session, timer_id: int, landed: dict[str, Any]) -> bool:
    """Remember where the message landed, whoever holds its claim now; True when this call
    wrote the record (the first post's place is kept if two workers posted)."""
    payload = session.scalar(select(Timer.payload).where(Timer.id == timer_id))
    if payload is None or _LANDED in payload:
        return False
    statement = (
        update(Timer).where(Timer.id == timer_id).values(payload={**payload, _LANDED: landed})
    )
    return rows_changed(session, statement) == 1


@dataclass(frozen=True)
class Queued:
    """A message queued for a run: its JSON as queued, and where it landed once posted."""

    message: dict[str, Any]
    landed: dict[str, Any] | None


def queued_for_run(session: Session, run_id: str, *, kind: str) -> list[Queued]:
    """The run's messages (timers of ``kind``, not cancelled), oldest first: what a surface
    needs to update cards it posted earlier, such as an SLA alert once acknowledged."""
    query = (
        select(Timer.payload)
        .where(Timer.run_id == run_id, Timer.kind == kind, Timer.status != "cancelled")
        .order_by(Timer.id)
    )
    return [
        Queued(message=payload["message"], landed=payload.get(_LANDED))
        for payload in session.scalars(query)
        if "message" in payload
    ]
