"""Who may read: runs, approvals and procedures are this workspace's business. A mention runs
``/sop`` commands where everyone in the channel reads the answer (in a Slack Connect channel,
another organisation), so a reader who is not a person of this workspace (a group, a
channel, an ID nobody has, a guest from another organisation) is refused, told why and
audited, like a refused start."""

from __future__ import annotations

import pytest

from bot.app.commands.parser import is_read, parse
from bot.app.commands.service import CommandService
from bot.app.door import Started
from bot.harness import Harness
from storage import audit
from storage.models import AuditEvent
from tests.app.door import door_of
from tests.engine.conftest import MakeHarness, refund_sop

READS = ["list", "show refund", "status {run}", "history", "pending", "approvals", "mode refund"]


def _waiting_run(harness: Harness) -> str:
    """A refund waiting for finance's approval."""
    started = door_of(harness).start(
        "refund", {"order_id": "1042", "reason": "damaged"}, by="U03SAM"
    )
    assert isinstance(started, Started)
    harness.engine.run_due()
    return started.run.id


def _refused_reads(harness: Harness) -> list[AuditEvent]:
    with harness.database.session() as session:
        return [
            event
            for event in audit.recent(session)
            if event.action == "read" and event.outcome == "refused"
        ]


@pytest.mark.parametrize("who", ["S01FINANCE", "C02SUPPORT", "U09NOBODY"])
def test_someone_not_of_this_workspace_reads_nothing(make_harness: MakeHarness, who: str) -> None:
    harness = make_harness(refund_sop())
    run_id = _waiting_run(harness)
    (approval,) = door_of(harness).pending()
    service = CommandService(door_of(harness))
    for words in READS:
        command = words.format(run=run_id)
        reply = service.handle(command, who)
        assert not reply.ok, command
        assert reply.text.startswith(f"{who} is not a person of this workspace"), command
        assert "a guest from another organisation in a shared channel" in reply.text
        assert [seen for seen in (run_id, approval.id) if seen in reply.text] == [], command
    refused = _refused_reads(harness)
    assert len(refused) == len(READS)
    assert {event.actor for event in refused} == {who}
    assert sorted(event.detail["command"] for event in refused) == sorted(
        words.split()[0] for words in READS
    )


def test_a_person_of_this_workspace_still_reads(make_harness: MakeHarness) -> None:
    harness = make_harness(refund_sop())
    run_id = _waiting_run(harness)
    (approval,) = door_of(harness).pending()
    service = CommandService(door_of(harness))
    assert approval.id in service.handle("pending", "U06ANA").text
    assert (
        f"Run {run_id} · refund · waiting_approval"
        in service.handle(f"status {run_id}", "U06ANA").text
    )
    assert run_id in service.handle("history", "U06ANA").text
    assert _refused_reads(harness) == []


def test_one_rule_says_what_a_read_is_for_every_surface() -> None:
    """``/sop`` answers these at once, a mention answers them in a DM, and the service
    refuses them to outsiders: one list, so no surface can disagree about one."""
    for words in READS:
        assert is_read(parse(words.format(run="r-1"))), words
    for words in ["help", "mode refund shadow testing", "run refund", "cancel r-1 typo"]:
        assert not is_read(parse(words)), words
