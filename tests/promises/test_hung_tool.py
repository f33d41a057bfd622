"""A tool that never answers must not keep ``sopbot worker`` from stopping: its call times
out, the run waits for its retry, and SIGTERM ends the process at once, the hung call's
thread left behind instead of joined at exit."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.worker_cmd import open_engine
from storage.database import Database
from storage.models import AuditEvent
from tests.promises.clock import SharedClock
from tests.promises.fleet import Fleet
from tests.promises.worker_process import settings_for

pytestmark = pytest.mark.timeout(60)
HUNG = """\
id: read-hung
title: Read an issue from a Jira that never answers
owner: U01MARIA
version: 1
review: {every: 365d, last_reviewed: 2026-11-01}
mode: autonomous
trigger: {command: read-hung}
permissions:
  allow: [jira.get_issue]
escalation:
  to: [U04LEE]
steps:
  - id: read
    action: jira.get_issue
    with: {key: BUG-7}
    timeout: 1s
    on_failure:
      retry: {attempts: 3, backoff: 1m}
      then: escalate
  - id: done
    end: completed
"""
PROMPTLY = 5.0
"""Seconds a stopping worker may take; the hung call would hold it for 30."""


def test_a_worker_stops_promptly_while_a_tool_call_hangs(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "read-hung.yml").write_text(HUNG)
    env = {"SOPBOT_CONNECTOR_JIRA": "tests.engine.hanging_tool:connect"}
    monkeypatch.setenv("SOPBOT_CONNECTOR_JIRA", env["SOPBOT_CONNECTOR_JIRA"])
    clock = SharedClock()
    url = database.url.render_as_string(hide_password=False)
    desk = open_engine(settings_for(url, "desk", sops), clock)
    fleet = Fleet(url, clock, tmp_path)
    try:
        desk.start("read-hung", {}, started_by="U02DEV", interactive=False, inline=False)
        fleet.start("worker", sops_dir=sops, env=env)
        timed_out = fleet.wait_until(lambda: timed_out_calls(database) == 1, timeout=30)
        assert timed_out, fleet.tail("worker")

        asked = time.monotonic()
        assert fleet.end("worker", signal.SIGTERM, timeout=PROMPTLY) == 0
        assert time.monotonic() - asked < PROMPTLY
    finally:
        fleet.close()
        desk.runtime.close()


def timed_out_calls(database: Database) -> int:
    with database.session(read_only=True) as session:
        reasons = session.scalars(
            select(AuditEvent.reason).where(AuditEvent.action == "jira.get_issue")
        ).all()
    return sum("did not answer within" in (reason or "") for reason in reasons)
