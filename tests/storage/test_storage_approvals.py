"""One decision per approval, one vote per person, whoever clicks at the same moment."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from storage import approvals
from storage.database import Database
from storage.models import Approval

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def open_approval(database: Database, make_run: Callable[..., str]) -> Callable[..., str]:
    """Open a pending approval on run-1 (created on first use); its id."""
    make_run("run-1")

    def open_one(approval_id: str = "ap-1", **columns: object) -> str:
        values: dict[str, object] = {
            "run_id": "run-1",
            "step_id": "approve_refund",
            "kind": "approval",
            "status": "pending",
            "package": {"summary": "Refund 120 EUR to ACME"},
            "package_hash": "b" * 64,
            "deciders": ["U7", "S_FINANCE"],
            "due_at": T0 + HOUR,
            "created_at": T0,
        } | columns
        with database.session() as session:
            approvals.open_approval(session, Approval(id=approval_id, **values))
        return approval_id

    return open_one


def _vote(database: Database, user_id: str, decision: str = "approve") -> bool:
    with database.session() as session:
        return approvals.record_vote(
            session, approval_id="ap-1", user_id=user_id, decision=decision, reason=None, at=T0
        )


def test_an_opened_approval_reads_back_pending_with_its_package(
    database: Database, open_approval: Callable[..., str]
) -> None:
    open_approval()

    with database.session() as session:
        approval = approvals.get_approval(session, "ap-1")
        missing = approvals.get_approval(session, "ap-404")

    assert approval is not None
    assert (approval.status, approval.deciders, approval.required) == (
        "pending",
        ["U7", "S_FINANCE"],
        1,
    )
    assert approval.package == {"summary": "Refund 120 EUR to ACME"}
    assert missing is None


def test_a_second_vote_by_the_same_person_is_refused_and_the_transaction_goes_on(
    database: Database, open_approval: Callable[..., str]
) -> None:
    open_approval()

    with database.session() as session:
        first = approvals.record_vote(
            session, approval_id="ap-1", user_id="U7", decision="approve", reason="ok", at=T0
        )
        again = approvals.record_vote(
            session, approval_id="ap-1", user_id="U7", decision="reject", reason="no", at=T0 + HOUR
        )
        other = approvals.record_vote(
            session, approval_id="ap-1", user_id="U8", decision="reject", reason=None, at=T0 + HOUR
        )

    with database.session() as session:
        cast = approvals.votes(session, "ap-1")
    assert (first, again, other) == (True, False, True)
    assert [(vote.user_id, vote.decision, vote.reason) for vote in cast] == [
        ("U7", "approve", "ok"),
        ("U8", "reject", None),
    ]


def test_an_approval_is_decided_once_and_records_who_when_and_why(
    database: Database, open_approval: Callable[..., str]
) -> None:
    open_approval()

    with database.session() as session:
        first = approvals.cas_decide(
            session, "ap-1", status="approved", decided_by="U7", reason="fine", at=T0 + HOUR
        )
        second = approvals.cas_decide(
            session, "ap-1", status="rejected", decided_by="U8", reason="late", at=T0 + 2 * HOUR
        )
        approval = approvals.get_approval(session, "ap-1")

    assert (first, second) == (True, False)
    assert approval is not None
    assert (approval.status, approval.decided_by, approval.reason, approval.decided_at) == (
        "approved",
        "U7",
        "fine",
        T0 + HOUR,
    )
    assert approval.version == 2


def test_a_task_decision_keeps_the_reported_fields(
    database: Database, open_approval: Callable[..., str]
) -> None:
    open_approval(kind="task")

    with database.session() as session:
        approvals.cas_decide(
            session,
            "ap-1",
            status="completed",
            decided_by="U9",
            reason=None,
            at=T0,
            response={"ticket": "OPS-12"},
        )
        approval = approvals.get_approval(session, "ap-1")

    assert approval is not None
    assert (approval.status, approval.response) == ("completed", {"ticket": "OPS-12"})


def test_many_people_clicking_at_once_make_one_decision_and_one_vote_each(
    database: Database, open_approval: Callable[..., str]
) -> None:
    open_approval()
    clicks = [f"U{person}" for person in range(6)] * 2  # everyone double-clicks
    start = threading.Barrier(len(clicks))

    def click(user_id: str) -> tuple[bool, bool]:
        start.wait(timeout=30)
        with database.session() as session:
            voted = approvals.record_vote(
                session, approval_id="ap-1", user_id=user_id, decision="approve", reason=None, at=T0
            )
            decided = approvals.cas_decide(
                session, "ap-1", status="approved", decided_by=user_id, reason=None, at=T0
            )
        return voted, decided

    with ThreadPoolExecutor(len(clicks)) as pool:
        outcomes = list(pool.map(click, clicks))

    assert sum(voted for voted, _ in outcomes) == 6
    assert sum(decided for _, decided in outcomes) == 1
    winner = clicks[[decided for _, decided in outcomes].index(True)]
    with database.session() as session:
        approval = approvals.get_approval(session, "ap-1")
        voters = sorted(vote.user_id for vote in approvals.votes(session, "ap-1"))
    assert approval is not None
    assert approval.decided_by == winner
    assert voters == [f"U{person}" for person in range(6)]


def test_pending_approvals_are_listed_per_run_and_soonest_due_first(
    database: Database, open_approval: Callable[..., str]
) -> None:
    open_approval("ap-late", due_at=T0 + 3 * HOUR, created_at=T0)
    open_approval("ap-soon", due_at=T0 + HOUR, created_at=T0 + dt.timedelta(minutes=1))
    open_approval("ap-done", due_at=T0, created_at=T0 + dt.timedelta(minutes=2))
    with database.session() as session:
        approvals.cas_decide(
            session, "ap-done", status="approved", decided_by="U7", reason=None, at=T0
        )

    with database.session() as session:
        for_run = [approval.id for approval in approvals.pending_for_run(session, "run-1")]
        everywhere = [approval.id for approval in approvals.list_pending(session)]
        first = [approval.id for approval in approvals.list_pending(session, limit=1)]
        other_run = approvals.pending_for_run(session, "run-2")

    assert for_run == ["ap-late", "ap-soon"]
    assert everywhere == ["ap-soon", "ap-late"]
    assert first == ["ap-soon"]
    assert other_run == []


def test_the_card_location_is_remembered(
    database: Database, open_approval: Callable[..., str]
) -> None:
    open_approval()

    with database.session() as session:
        approvals.set_card(session, "ap-1", {"channel": "C1", "ts": "1732266000.000100"})
    with database.session() as session:
        approval = approvals.get_approval(session, "ap-1")
        with pytest.raises(LookupError, match="no approval ap-404"):
            approvals.set_card(session, "ap-404", {})

    assert approval is not None
    assert approval.card == {"channel": "C1", "ts": "1732266000.000100"}


def test_a_package_reads_back_in_the_order_it_was_written(
    database: Database, open_approval: Callable[..., str]
) -> None:
    """The card lists facts and a call's arguments as the procedure wrote them, on
    PostgreSQL as on SQLite (``jsonb`` would sort the keys by length)."""
    facts = {"Order total": "640.0 USD", "Refund": "640.0 USD", "Reason": "arrived broken"}
    arguments = {"order_id": "1042", "amount": 640.0, "reason": "arrived broken"}
    open_approval(
        package={"facts": facts, "actions": [{"operation": "crm.refund", "arguments": arguments}]}
    )

    with database.session() as session:
        approval = approvals.get_approval(session, "ap-1")

    assert approval is not None
    assert list(approval.package["facts"]) == ["Order total", "Refund", "Reason"]
    assert list(approval.package["actions"][0]["arguments"]) == ["order_id", "amount", "reason"]
