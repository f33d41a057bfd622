"""Who may start, decide and cancel: one policy, enforced by the engine whichever surface
asks, every refusal clear and audited."""

from __future__ import annotations

import pytest

from bot.app.door import Started
from bot.engine.errors import DecisionRefused, EngineError
from bot.harness import Harness
from storage import audit, runs
from storage.models import AuditEvent
from tests.app.door import door_of
from tests.engine.conftest import MakeHarness, refund_sop


def _refused(harness: Harness, action: str) -> list[AuditEvent]:
    with harness.database.session() as session:
        return [
            event
            for event in audit.recent(session)
            if event.action == action and event.outcome == "refused"
        ]


def _start(harness: Harness, by: str = "U02DEV") -> str:
    started = door_of(harness).start("refund", {"order_id": "1042", "reason": "damaged"}, by=by)
    assert isinstance(started, Started)
    harness.engine.run_due()
    return started.run.id


@pytest.mark.parametrize("who", ["S01FINANCE", "C02SUPPORT", "U09NOBODY"])
def test_only_a_person_starts_a_procedure(make_harness: MakeHarness, who: str) -> None:
    harness = make_harness(refund_sop())
    door = door_of(harness)
    with pytest.raises(EngineError) as refused:
        door.start("refund", {"order_id": "1042", "reason": "damaged"}, by=who)
    assert str(refused.value) == (
        f"{who} is not a person of this workspace: only people in the directory start "
        "procedures, never a user group, a channel, or a guest from another organisation in "
        "a shared channel; ask someone of this workspace to start it"
    )
    assert door.procedures(who).procedures == (), "nothing is listed to start"
    with harness.database.session() as session:
        assert runs.list_runs(session) == []
    (refusal,) = _refused(harness, "run.start")
    assert (refusal.actor, refusal.detail) == (who, {"sop": "refund"})


def test_a_person_may_start_every_served_procedure(make_harness: MakeHarness) -> None:
    harness = make_harness(refund_sop())
    listed = door_of(harness).procedures("U06ANA")
    assert [entry.id for entry in listed.procedures] == ["refund"]


def test_only_listed_people_decide_and_a_refusal_is_audited(make_harness: MakeHarness) -> None:
    harness = make_harness(refund_sop())
    door = door_of(harness)
    run_id = _start(harness, by="U03SAM")
    (approval,) = door.pending()
    assert approval.run_id == run_id
    with pytest.raises(DecisionRefused, match=r"only <!subteam\^S01FINANCE> may decide"):
        door.decide(approval.id, "U06ANA", "approve")
    with pytest.raises(DecisionRefused, match="you started this run, so someone else must"):
        door.decide(approval.id, "U03SAM", "approve")
    assert sorted(event.actor for event in _refused(harness, "approval.vote")) == [
        "U03SAM",
        "U06ANA",
    ]
    assert door.pending()[0].id == approval.id, "still waiting for finance"


@pytest.mark.parametrize("who", ["U02DEV", "U01MARIA", "U04LEE"])
def test_the_starter_the_owner_and_the_escalation_may_cancel(
    make_harness: MakeHarness, who: str
) -> None:
    harness = make_harness(refund_sop())
    run_id = _start(harness)
    assert door_of(harness).cancel(run_id, who, "customer withdrew").message == (
        f"Cancelled run {run_id}."
    )
    assert harness.run(run_id).status == "cancelled"


@pytest.mark.parametrize("who", ["U06ANA", "U03SAM", "S01FINANCE"])
def test_nobody_else_cancels_a_run(make_harness: MakeHarness, who: str) -> None:
    harness = make_harness(refund_sop())
    run_id = _start(harness)
    with pytest.raises(DecisionRefused) as refused:
        door_of(harness).cancel(run_id, who, "not mine to stop")
    assert str(refused.value) == (
        f"only <@U02DEV>, <@U01MARIA>, <@U04LEE> may cancel run {run_id} (whoever started "
        "it, the owner of refund, or whoever it escalates to); ask one of them"
    )
    assert harness.run(run_id).status == "waiting_approval"
    (refusal,) = _refused(harness, "run.cancel")
    assert (refusal.actor, refusal.run_id, refusal.reason) == (who, run_id, str(refused.value))
