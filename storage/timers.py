"""Timer rows: due work that exactly one process claims, under a lease, and completes.

A claim is a lease: a process that dies holding one loses it when ``lease_until`` passes,
and the timer is claimable again. Every claim increments ``claims``, the claim's fencing
token: every change after the claim names its owner and token (``Claim``), so a process
whose lease was taken over, even by itself in another thread, can no longer hold, complete
or release the timer, and the engine refuses its commits (see ``hold``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Select,
    bindparam,
    case,
    func,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from storage.models import Timer
from storage.writes import rows_changed, table_of

_TABLE = table_of(Timer)
# Built once: these run for every step of every run.
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
_COMPLETE_MANY = update(_TABLE).where(
    _TABLE.c.id.in_(bindparam("b_ids", expanding=True)),
    _TABLE.c.status == "claimed",
    _TABLE.c.claimed_by == bindparam("b_owner"),
)
_OWN_CLAIM_UPDATE = update(_TABLE).where(
    _TABLE.c.id == bindparam("b_id"),
    _TABLE.c.status == "claimed",
    _TABLE.c.claimed_by == bindparam("b_owner"),
    _TABLE.c.claims == bindparam("b_token"),
)
FIRST_CLAIM = 1
"""The token of a timer created already claimed (``schedule`` with ``claimed_by``)."""


@dataclass(frozen=True)
class Claim:
    """One holder's claim on one timer: what it must show to change the timer."""

    timer_id: int
    owner: str
    token: int

    @classmethod
    def of(cls, timer: Timer) -> Claim:
        """The claim a just-claimed timer row stands for."""
        if timer.claimed_by is None:
            raise ValueError(f"timer {timer.id} is not claimed")
        return cls(timer.id, timer.claimed_by, timer.claims)


def _candidates(claimable: Any, *, locked: bool, of_kinds: bool) -> Select[Any]:
    statement = select(_TABLE.c.id, _TABLE.c.due_at).where(claimable)
    if of_kinds:
        statement = statement.where(_TABLE.c.kind.in_(bindparam("b_kinds", expanding=True)))
    statement = statement.order_by(_TABLE.c.due_at, _TABLE.c.id).limit(bindparam("b_limit"))
    return statement.with_for_update(skip_locked=True) if locked else statement


def _both(locked: bool, of_kinds: bool) -> CompoundSelect[Any]:
    """Two simple queries joined into one statement rather than one OR: each walks its own
    index in due order and stops at the limit, however large the backlog of future timers
    is."""
    pending = _candidates(_PENDING, locked=locked, of_kinds=of_kinds).subquery()
    lease_ran_out = _candidates(_LEASE_RAN_OUT, locked=locked, of_kinds=of_kinds).subquery()
    return union_all(select(pending), select(lease_ran_out))


_PENDING = (_TABLE.c.status == "pending") & (_TABLE.c.due_at <= bindparam("b_now"))
_LEASE_RAN_OUT = (_TABLE.c.status == "claimed") & (_TABLE.c.lease_until < bindparam("b_now"))
# (locked, of kinds) → the candidate query, built once
_CANDIDATES = {
    (locked, of_kinds): _both(locked, of_kinds)
    for locked in (False, True)
    for of_kinds in (False, True)
}
_CLAIM = (
    update(_TABLE)
    .where(_TABLE.c.id.in_(bindparam("b_ids", expanding=True)))
    .values(
        status="claimed",
        claims=_TABLE.c.claims + 1,
        # the SET clause sees the row as it was: claimed before means its holder's lease ran out
        takeovers=_TABLE.c.takeovers + case((_TABLE.c.status == "claimed", 1), else_=0),
    )
    .returning(*_TABLE.c)
)


def schedule(
    session: Session,
    *,
    kind: str,
    due_at: datetime,
    now: datetime,
    run_id: str | None = None,
    payload: dict[str, Any] | None = None,
    claimed_by: str | None = None,
    lease_until: datetime | None = None,
) -> int:
    """Add a timer; its id. With ``claimed_by`` it starts claimed by that owner until
    ``lease_until`` (a process that creates work and does it at once)."""
    if (claimed_by is None) != (lease_until is None):
        raise ValueError("claimed_by and lease_until go together")
    values = {
        "kind": kind,
        "due_at": due_at,
        "run_id": run_id,
        "payload": payload or {},
        "status": "pending" if claimed_by is None else "claimed",
        "claimed_by": claimed_by,
        "lease_until": lease_until,
        "claims": 0 if claimed_by is None else FIRST_CLAIM,
        "takeovers": 0,
        "created_at": now,
        "fired_at": None,
    }
    return int(session.execute(_INSERT, values).scalar_one())


def claim_due(
    session: Session,
    *,
    now: datetime,
    owner: str,
    lease: timedelta,
    limit: int = 50,
    kinds: Collection[str] | None = None,
) -> list[Timer]:
    """Claim up to ``limit`` due timers for ``owner`` until ``now + lease``, oldest due first;
    only of ``kinds`` when given (a process claims only the work it can do).

    Due: pending with ``due_at <= now``, or claimed by a process whose lease ran out.
    PostgreSQL locks the candidates with ``FOR UPDATE SKIP LOCKED``, so concurrent claimers
    take different rows. SQLite holds the write lock for the whole transaction (see
    ``storage.engines``), and the UPDATE repeats the claimable test, so a row another
    process took in between is never taken twice.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    postgres = session.get_bind().dialect.name == "postgresql"
    bounds: dict[str, Any] = {"b_now": now, "b_limit": limit}
    if kinds is not None:
        bounds["b_kinds"] = list(kinds)
    candidates = session.execute(_CANDIDATES[postgres, kinds is not None], bounds).all()
    ids = [row.id for row in sorted(candidates, key=lambda row: (row.due_at, row.id))[:limit]]
    if not ids:
        return []
    # The rows are ours until commit: locked on PostgreSQL, under the write lock on SQLite.
    claim = {"b_ids": ids, "claimed_by": owner, "lease_until": now + lease}
    rows = session.execute(_CLAIM, claim)
    return sorted(
        (Timer(**row._mapping) for row in rows), key=lambda timer: (timer.due_at, timer.id)
    )


def complete(session: Session, claim: Claim, *, now: datetime) -> bool:
    """Mark the timer done, if ``claim`` still holds it."""
    return _change_own_claim(session, claim, status="done", fired_at=now)


def complete_many(
    session: Session, timer_ids: Collection[int], *, owner: str, now: datetime
) -> int:
    """Mark several timers done in one statement (those ``owner`` still holds); how many."""
    if not timer_ids:
        return 0
    parameters = {"b_ids": list(timer_ids), "b_owner": owner, "status": "done", "fired_at": now}
    return rows_changed(session, _COMPLETE_MANY, parameters)


def release(session: Session, claim: Claim) -> bool:
    """Give the claim back (pending again, due as before), if ``claim`` still holds it."""
    return _change_own_claim(session, claim, status="pending", claimed_by=None, lease_until=None)


def hold(session: Session, claim: Claim, *, until: datetime) -> bool:
    """The fence: True, and the lease renewed until ``until``, only if ``claim`` still holds
    the timer. Run first in a transaction, it also locks the timer row until commit, so a
    claimer that takes over waits for that commit, and the old holder's next one is refused.
    """
    return _change_own_claim(session, claim, lease_until=until)


def cancel(
    session: Session,
    *,
    run_id: str,
    kinds: Collection[str] | None = None,
    claimed_too: bool = True,
) -> int:
    """Cancel the run's pending timers, and claimed ones unless ``claimed_too`` is False
    (only ``kinds``, when given); how many. A cancelled claim fences its holder out."""
    states = ("pending", "claimed") if claimed_too else ("pending",)
    statement = (
        update(Timer)
        .where(Timer.run_id == run_id, Timer.status.in_(states))
        .values(status="cancelled", claimed_by=None, lease_until=None)
    )
    if kinds is not None:
        statement = statement.where(Timer.kind.in_(kinds))
    return rows_changed(session, statement)


def next_due_at(session: Session) -> datetime | None:
    """When the earliest pending timer is due (the clock sleeps until then), or None."""
    return session.scalar(select(func.min(Timer.due_at)).where(Timer.status == "pending"))


def next_claimable_at(session: Session) -> datetime | None:
    """The earliest moment any timer can be claimed: a pending one falls due, or a lease ends.

    Waking at this time, rather than ``next_due_at``, also picks up a timer left claimed by
    a process that died, as soon as its lease runs out.
    """
    pending = select(func.min(Timer.due_at)).where(Timer.status == "pending")
    leased = select(func.min(Timer.lease_until)).where(Timer.status == "claimed")
    moments = [session.scalar(pending), session.scalar(leased)]
    return min((moment for moment in moments if moment is not None), default=None)


def count_pending(session: Session) -> int:
    """How many timers wait to fall due or to be claimed."""
    pending = select(func.count()).select_from(Timer).where(Timer.status == "pending")
    return session.scalar(pending) or 0


def _change_own_claim(session: Session, claim: Claim, **values: Any) -> bool:
    parameters = {"b_id": claim.timer_id, "b_owner": claim.owner, "b_token": claim.token, **values}
    return rows_changed(session, _OWN_CLAIM_UPDATE, parameters) == 1
