"""A restarted process knows nothing in memory: whatever it needs to decide an approval or
time one out must come from the database, without waiting on itself.

The restart is a second ``Database`` handle on the same database and a second engine, as
a new process would open them; the first process's caches stay behind with the first.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.harness import DEFAULT_START, Harness
from bot.validation.validator import validate_paths
from storage import journal
from storage.database import Database
from tests.engine.test_recovery import DiesAfterActing, ProcessDied
from tests.promises.known_bugs import (
    LATER_WRITES_UNRECORDED,
    PINNED_VERSION_LOCK,
    SLA_WRITE_REPEATED,
    known_bug,
)
from tests.promises.ledger import MAYBE_DONE
from tests.promises.worker_process import LEASE, SOPS_DIR

PAST_THE_SLA = dt.timedelta(minutes=21)
"""Past the SOP's 5-minute wait and its 20-minute SLA: only the approval's timeout is left."""
PAST_THE_APPROVAL_TIMEOUT = dt.timedelta(hours=2)
PAST_THE_SLA_LINK = dt.timedelta(minutes=3)
PAST_THE_WAIT = dt.timedelta(minutes=6)
PAST_THE_LEASE = LEASE + dt.timedelta(seconds=1)


def _waiting_for_approval(database: Database) -> tuple[str, str]:
    """A run of promise-mix that waits for its approval and nothing else: (run id, approval id)."""
    first = Harness.open(database, validate_paths([SOPS_DIR]).files, worker_id="before")
    run = first.start("promise-mix", {"needs_approval": True})
    first.advance(PAST_THE_SLA)
    (approval,) = first.pending(run.id)
    first.close()
    return run.id, approval.id


def _restarted(database: Database) -> tuple[Harness, Database]:
    """A second process on the same database, at the time the first one stopped."""
    reopened = Database(database.url.render_as_string(hide_password=False))
    files = validate_paths([SOPS_DIR]).files
    after = Harness.open(reopened, files, start=DEFAULT_START + PAST_THE_SLA, worker_id="after")
    return after, reopened


def test_a_restarted_process_decides_an_approval(
    database: Database, request: pytest.FixtureRequest
) -> None:
    known_bug(request, PINNED_VERSION_LOCK, only_on="sqlite")
    run_id, approval_id = _waiting_for_approval(database)
    after, reopened = _restarted(database)
    try:
        result = after.decide(approval_id, "U03SAM", "approve")
        assert result.final
        assert after.run(run_id).status == "completed"
    finally:
        after.close()
        reopened.dispose()


def test_a_restarted_worker_times_out_an_approval(
    database: Database, request: pytest.FixtureRequest
) -> None:
    known_bug(request, PINNED_VERSION_LOCK, only_on="sqlite")
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


def test_an_sla_write_cut_off_by_a_crash_is_not_repeated_after_restart(
    database: Database, request: pytest.FixtureRequest
) -> None:
    known_bug(request, SLA_WRITE_REPEATED)
    harness = Harness.open(database, validate_paths([SOPS_DIR]).files, worker_id="before")
    try:
        run = harness.start("promise-mix")
        dying = DiesAfterActing(harness.tools, "slack.post")
        harness.engine.runtime.connectors = dict.fromkeys(harness.tools.namespaces, dying)
        with pytest.raises(ProcessDied):  # the SLA link's post went out, then the process died
            harness.advance(PAST_THE_SLA_LINK)
        harness.engine.runtime.connectors = dict.fromkeys(harness.tools.namespaces, harness.tools)
        harness.engine.runtime.worker_id = "after"
        harness.advance(PAST_THE_LEASE)
        harness.advance(PAST_THE_SLA)
        sla_posts = [
            call
            for call in harness.tool_calls("slack.post")
            if call.arguments["text"].endswith(" sla")
        ]
        assert len(sla_posts) == 1
        finished = harness.run(run.id)
        assert finished.status == "escalated"
        assert MAYBE_DONE in (finished.reason or "")
        with database.session() as session:
            left_open = [
                entry.step_id
                for entry in journal.steps_for_run(session, run.id)
                if entry.status == "started"
            ]
        assert left_open == []
    finally:
        harness.close()


def test_writes_after_a_write_that_cannot_be_repeated_stay_on_record_after_a_crash(
    database: Database, request: pytest.FixtureRequest
) -> None:
    known_bug(request, LATER_WRITES_UNRECORDED)
    harness = Harness.open(database, validate_paths([SOPS_DIR]).files, worker_id="before")
    try:
        run = harness.start("promise-mix")
        dying = DiesAfterActing(harness.tools, "email.send")
        harness.engine.runtime.connectors = dict.fromkeys(harness.tools.namespaces, dying)
        with pytest.raises(ProcessDied):  # pay, file (jira), tell (email): sent, then death
            harness.advance(PAST_THE_WAIT)
        harness.engine.runtime.connectors = dict.fromkeys(harness.tools.namespaces, harness.tools)
        harness.engine.runtime.worker_id = "after"
        harness.advance(PAST_THE_LEASE)
        assert len(harness.tool_calls("jira.create_issue")) == 1
        assert len(harness.tool_calls("email.send")) == 1
        with database.session() as session:
            done = {(e.step_id, e.status) for e in journal.steps_for_run(session, run.id)}
        assert {("file", "succeeded"), ("tell", "succeeded")} <= done, "the email is on record"
        assert harness.run(run.id).status == "completed"
    finally:
        harness.close()
