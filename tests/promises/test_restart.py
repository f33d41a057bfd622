"""Restarts, one at a time: the bugs the crash and two-worker tests found, each reproduced
on its own so that its fix can be seen to work.

A restarted process knows nothing in memory: whatever it needs to decide an approval or time
one out must come from the database, without waiting on itself. Here the restart is a second
``Database`` handle and a second engine, as a new process would open them. A process that
dies right after a tool acted (``DiesAfterActing`` raises past every handler, like SIGKILL)
must neither repeat that write nor lose the record of it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.harness import DEFAULT_START, Harness
from bot.validation.validator import validate_paths
from storage import journal
from storage.database import Database
from tests.engine.test_recovery import DiesAfterActing, ProcessDied
from tests.promises.ledger import MAYBE_DONE
from tests.promises.worker_process import LEASE, SOPS_DIR

PAST_THE_SLA = dt.timedelta(minutes=21)
"""Past the SOP's 5-minute wait and its 20-minute SLA: only the approval's timeout is left."""
PAST_THE_APPROVAL_TIMEOUT = dt.timedelta(hours=2)
PAST_THE_SLA_LINK = dt.timedelta(minutes=3)
SLA_LINK_LATE = dt.timedelta(minutes=4, seconds=30)
"""The workers were down from the start until then: the 3-minute link fires late."""
BEFORE_THE_LEASE_ENDS = dt.timedelta(seconds=40)
"""Past the 5-minute wait, while the dead worker's lease on the link (until 5:30) holds."""
PAST_THE_WAIT = dt.timedelta(minutes=6)
PAST_THE_LEASE = LEASE + dt.timedelta(seconds=1)


def _harness(database: Database, worker_id: str, start: dt.datetime = DEFAULT_START) -> Harness:
    """The engine serving ``promise-mix`` on ``database``."""
    return Harness.open(
        database, validate_paths([SOPS_DIR]).files, start=start, worker_id=worker_id
    )


def _crash_during(harness: Harness, operation: str, delta: dt.timedelta) -> None:
    """Move time on by ``delta``; the process dies right after the tool performs
    ``operation``, and a new one takes over (the dead one's leases run out in their time)."""
    dying = DiesAfterActing(harness.tools, operation)
    harness.engine.runtime.connectors = dict.fromkeys(harness.tools.namespaces, dying)
    with pytest.raises(ProcessDied):
        harness.advance(delta)
    harness.engine.runtime.connectors = dict.fromkeys(harness.tools.namespaces, harness.tools)
    harness.engine.runtime.worker_id = "after"


def _waiting_for_approval(database: Database) -> tuple[str, str]:
    """A run of promise-mix that waits for its approval and nothing else: (run id, approval id)."""
    first = _harness(database, "before")
    run = first.start("promise-mix", {"needs_approval": True})
    first.advance(PAST_THE_SLA)
    (approval,) = first.pending(run.id)
    first.close()
    return run.id, approval.id


def _restarted(database: Database) -> tuple[Harness, Database]:
    """A second process on the same database, at the time the first one stopped."""
    reopened = Database(database.url.render_as_string(hide_password=False))
    return _harness(reopened, "after", DEFAULT_START + PAST_THE_SLA), reopened


def test_a_restarted_process_decides_an_approval(database: Database) -> None:
    run_id, approval_id = _waiting_for_approval(database)
    after, reopened = _restarted(database)
    try:
        result = after.decide(approval_id, "U03SAM", "approve")
        assert result.final
        assert after.run(run_id).status == "completed"
    finally:
        after.close()
        reopened.dispose()


def test_a_restarted_worker_times_out_an_approval(database: Database) -> None:
    run_id, _ = _waiting_for_approval(database)
    after, reopened = _restarted(database)
    try:
        after.advance(PAST_THE_APPROVAL_TIMEOUT)
        finished = after.run(run_id)
        assert finished.status == "escalated"
        assert "in time" in (finished.reason or "")
    finally:
        after.close()
        reopened.dispose()


@pytest.mark.parametrize(
    ("crash_at", "restart_after"),
    [
        (PAST_THE_SLA_LINK, PAST_THE_LEASE),  # the link is taken up again first
        (SLA_LINK_LATE, BEFORE_THE_LEASE_ENDS),  # the run moves on first, the link later
    ],
    ids=["link first", "run first"],
)
def test_an_sla_write_cut_off_by_a_crash_is_reported_not_repeated(
    database: Database,
    crash_at: dt.timedelta,
    restart_after: dt.timedelta,
) -> None:
    harness = _harness(database, "before")
    try:
        run = harness.start("promise-mix")
        _crash_during(harness, "slack.post", crash_at)  # the SLA link's post
        harness.advance(restart_after)
        harness.advance(PAST_THE_SLA)
        sla_posts = [
            call
            for call in harness.tool_calls("slack.post")
            if call.arguments["text"].endswith(" sla")
        ]
        assert len(sla_posts) == 1, "never repeated"
        with database.session() as session:
            sla_calls = [
                entry.status
                for entry in journal.steps_for_run(session, run.id)
                if entry.owner_kind == journal.OWNER_SLA
            ]
        assert sla_calls == ["unknown"]
        told = [message.text for message in harness.chat.to("U01MARIA")]
        assert any(run.id in text and MAYBE_DONE in text for text in told), "the owner is told"
        assert harness.run(run.id).status == "completed", "the run itself goes on"
    finally:
        harness.close()


def test_writes_after_a_write_that_cannot_be_repeated_stay_on_record_after_a_crash(
    database: Database,
) -> None:
    harness = _harness(database, "before")
    try:
        run = harness.start("promise-mix")
        _crash_during(harness, "email.send", PAST_THE_WAIT)  # after pay, file (jira) and tell
        harness.advance(PAST_THE_LEASE)
        assert len(harness.tool_calls("jira.create_issue")) == 1
        assert len(harness.tool_calls("email.send")) == 1
        with database.session() as session:
            done = {(e.step_id, e.status) for e in journal.steps_for_run(session, run.id)}
        assert {("file", "succeeded"), ("tell", "succeeded")} <= done, "the email is on record"
        assert harness.run(run.id).status == "completed"
    finally:
        harness.close()
