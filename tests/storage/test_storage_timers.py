"""Timers are the clock's truth: every due timer fires once, even with several processes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import queue
import traceback
from collections import Counter
from collections.abc import Callable
from multiprocessing.queues import Queue
from typing import Any

import pytest
from sqlalchemy import select

from storage import timers
from storage.database import Database
from storage.models import Timer
from storage.timers import Claim

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=60)
MINUTE = dt.timedelta(minutes=1)


def _schedule(database: Database, due_at: dt.datetime, **fields: Any) -> int:
    with database.session() as session:
        return timers.schedule(
            session, kind=fields.pop("kind", "wake"), due_at=due_at, now=T0, **fields
        )


def _claim(database: Database, owner: str, now: dt.datetime, limit: int = 50) -> list[int]:
    with database.session() as session:
        claimed = timers.claim_due(session, now=now, owner=owner, lease=LEASE, limit=limit)
        return [timer.id for timer in claimed]


def _claims(database: Database, owner: str, now: dt.datetime) -> list[Claim]:
    with database.session() as session:
        return [
            Claim.of(timer)
            for timer in timers.claim_due(session, now=now, owner=owner, lease=LEASE)
        ]


def _stored(database: Database, timer_id: int) -> Timer:
    with database.session() as session:
        return session.get_one(Timer, timer_id)


def test_only_due_timers_are_claimed_oldest_first_with_a_lease(database: Database) -> None:
    later = _schedule(database, T0 + 2 * MINUTE)
    due_second = _schedule(database, T0, payload={"step": "remind"})
    due_first = _schedule(database, T0 - MINUTE)

    with database.session() as session:
        claimed = timers.claim_due(session, now=T0, owner="bot-a", lease=LEASE)

    assert [timer.id for timer in claimed] == [due_first, due_second]
    assert claimed[1].payload == {"step": "remind"}
    assert {(t.status, t.claimed_by, t.lease_until) for t in claimed} == {
        ("claimed", "bot-a", T0 + LEASE)
    }
    assert _stored(database, later).status == "pending"


def test_claim_takes_at_most_limit_timers(database: Database) -> None:
    for minutes in range(5):
        _schedule(database, T0 - minutes * MINUTE)

    assert len(_claim(database, "bot-a", T0, limit=3)) == 3
    assert len(_claim(database, "bot-b", T0, limit=3)) == 2


def test_a_limit_below_one_is_refused(database: Database) -> None:
    with database.session() as session, pytest.raises(ValueError, match="limit must be at least 1"):
        timers.claim_due(session, now=T0, owner="bot-a", lease=LEASE, limit=0)


def test_a_live_lease_keeps_others_out_and_an_expired_one_lets_them_in(database: Database) -> None:
    timer_id = _schedule(database, T0)
    assert _claim(database, "bot-a", T0) == [timer_id]

    assert _claim(database, "bot-b", T0 + LEASE) == []  # the lease still runs at its last instant
    assert _claim(database, "bot-b", T0 + LEASE + dt.timedelta(seconds=1)) == [timer_id]
    assert _stored(database, timer_id).claimed_by == "bot-b"


def test_a_stale_owner_can_neither_hold_complete_nor_release(database: Database) -> None:
    timer_id = _schedule(database, T0)
    (stale,) = _claims(database, "bot-a", T0)
    (current,) = _claims(database, "bot-b", T0 + 2 * LEASE)  # bot-a stalled; bot-b took over

    with database.session() as session:
        assert not timers.hold(session, stale, until=T0 + 4 * LEASE)
        assert not timers.complete(session, stale, now=T0 + 3 * LEASE)
        assert not timers.release(session, stale)
        assert timers.complete(session, current, now=T0 + 3 * LEASE)
        assert not timers.complete(session, current, now=T0 + 3 * LEASE)

    done = _stored(database, timer_id)
    assert (done.status, done.fired_at, done.takeovers) == ("done", T0 + 3 * LEASE, 1)
    assert _claim(database, "bot-c", T0 + 10 * LEASE) == []


def test_the_same_owner_claiming_again_fences_its_older_claim(database: Database) -> None:
    """Two threads of one process share a name: the claim's token tells them apart."""
    _schedule(database, T0)
    (first,) = _claims(database, "bot-a", T0)
    (second,) = _claims(database, "bot-a", T0 + 2 * LEASE)

    assert (first.owner, second.owner) == ("bot-a", "bot-a")
    assert second.token == first.token + 1
    with database.session() as session:
        assert not timers.hold(session, first, until=T0 + 5 * LEASE)
        assert timers.hold(session, second, until=T0 + 5 * LEASE)


def test_a_released_timer_is_claimable_again_at_once(database: Database) -> None:
    timer_id = _schedule(database, T0)
    (claim,) = _claims(database, "bot-a", T0)

    with database.session() as session:
        assert timers.release(session, claim)

    assert _stored(database, timer_id).status == "pending"
    assert _claim(database, "bot-b", T0) == [timer_id]


def test_a_held_lease_keeps_the_claim_past_its_first_end(database: Database) -> None:
    timer_id = _schedule(database, T0)
    (claim,) = _claims(database, "bot-a", T0)
    stranger = Claim(timer_id, "bot-b", claim.token)

    with database.session() as session:
        assert timers.hold(session, claim, until=T0 + 5 * LEASE)
        assert not timers.hold(session, stranger, until=T0 + 9 * LEASE)

    assert _claim(database, "bot-b", T0 + 2 * LEASE) == []
    assert _claim(database, "bot-b", T0 + 6 * LEASE) == [timer_id]


def test_cancel_stops_only_the_runs_open_timers_of_the_given_kinds(
    database: Database, make_run: Callable[..., str]
) -> None:
    run_id = make_run("run-1")
    other_run = make_run("run-2")
    wake = _schedule(database, T0 - MINUTE, run_id=run_id, kind="wake")
    retry = _schedule(database, T0, run_id=run_id, kind="retry")
    sla = _schedule(database, T0, run_id=run_id, kind="sla")
    untouched = _schedule(database, T0, run_id=other_run, kind="wake")
    assert _claim(database, "bot-a", T0, limit=1) == [wake]  # claimed timers cancel too

    with database.session() as session:
        assert timers.cancel(session, run_id=run_id, kinds=["retry", "sla"]) == 2
        assert timers.cancel(session, run_id=run_id) == 1
        assert timers.cancel(session, run_id=run_id) == 0

    statuses = {tid: _stored(database, tid).status for tid in (wake, retry, sla, untouched)}
    assert statuses == {
        wake: "cancelled",
        retry: "cancelled",
        sla: "cancelled",
        untouched: "pending",
    }
    assert _claim(database, "bot-b", T0 + 10 * LEASE) == [untouched]


def test_the_clock_learns_when_to_wake_and_how_much_is_waiting(database: Database) -> None:
    with database.session() as session:
        assert timers.next_due_at(session) is None
        assert timers.next_claimable_at(session) is None
        assert timers.count_pending(session) == 0

    _schedule(database, T0 - MINUTE)
    _schedule(database, T0 + 30 * MINUTE)
    _schedule(database, T0 + 10 * MINUTE)
    _claim(database, "bot-a", T0)  # the overdue one, leased until T0 + 60 s

    with database.session() as session:
        assert timers.next_due_at(session) == T0 + 10 * MINUTE
        assert timers.next_claimable_at(session) == T0 + LEASE
        assert timers.count_pending(session) == 2


TIMER_COUNT = 500


def _claim_in_lockstep(url: str, owner: str, rounds: Any, results: Queue[Any]) -> None:
    """One bot process: each round, claim a small batch at the same instant as the other."""
    try:
        database = Database(url)
        claimed: list[int] = []
        while True:
            rounds.wait(timeout=60)
            claimed.extend(_claim(database, owner, T0, limit=7))
            rounds.wait(timeout=60)  # both are done, so both see the same count below
            with database.session(read_only=True) as session:
                if timers.count_pending(session) == 0:
                    break
        database.dispose()
        results.put((owner, claimed))
    except Exception:
        results.put((owner, traceback.format_exc()))


def test_two_processes_claiming_together_take_every_timer_exactly_once(
    database: Database,
) -> None:
    with database.session() as session:
        for index in range(TIMER_COUNT):
            timers.schedule(session, kind="wake", due_at=T0 - index * MINUTE, now=T0)
    url = database.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    rounds = context.Barrier(2)
    results: Queue[Any] = context.Queue()
    workers = [
        context.Process(target=_claim_in_lockstep, args=(url, owner, rounds, results))
        for owner in ("bot-a", "bot-b")
    ]
    for worker in workers:
        worker.start()
    try:
        reports = dict(results.get(timeout=120) for _ in workers)
    except queue.Empty:
        pytest.fail("a claiming process did not report within 120 s")
    finally:
        for worker in workers:
            worker.join(timeout=30)

    for owner, report in reports.items():
        assert isinstance(report, list), f"{owner} failed:\n{report}"
        assert report, f"{owner} claimed nothing: the processes did not compete"
    claims = Counter(timer_id for claimed in reports.values() for timer_id in claimed)
    assert len(claims) == TIMER_COUNT
    assert set(claims.values()) == {1}
    with database.session() as session:
        owners = {
            row.id: row.claimed_by for row in session.execute(select(Timer.id, Timer.claimed_by))
        }
    assert owners == {timer_id: owner for owner, claimed in reports.items() for timer_id in claimed}


def test_a_process_claims_only_the_kinds_of_work_it_can_do(database: Database) -> None:
    wake = _schedule(database, T0, kind="wake")
    inbound = _schedule(database, T0, kind="inbound")

    with database.session() as session:
        claimed = timers.claim_due(session, now=T0, owner="worker", lease=LEASE, kinds=["wake"])
    assert [timer.id for timer in claimed] == [wake]
    assert _stored(database, inbound).status == "pending", "left for a process that can"
    assert _claim(database, "front", T0) == [inbound]
