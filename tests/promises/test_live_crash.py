"""No side effect twice with live tools and a real crash: a worker process is SIGKILLed by
the tool itself, right after Jira created the issue (then right after HubSpot made the
note) and before the worker heard the answer or recorded the step. The next worker
finishes the run over the real client libraries: one issue, one note, the run completed."""

from __future__ import annotations

import datetime as dt
import os
import signal
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.app import views
from bot.cli.worker_cmd import open_engine
from bot.engine.engine import Engine
from storage import journal
from storage.database import Database
from tests.connectors.hubspot.conftest import TOKEN as HUBSPOT_TOKEN
from tests.connectors.hubspot.conftest import seeded_portal, write_mapping
from tests.connectors.hubspot.fake_hubspot import FakeHubSpot, Handler
from tests.connectors.jira.fake_jira import EMAIL, FakeJira
from tests.connectors.jira.fake_jira import TOKEN as JIRA_TOKEN
from tests.promises.clock import SharedClock
from tests.promises.fleet import Fleet
from tests.promises.ledger import stuck
from tests.promises.worker_process import LEASE, settings_for

pytestmark = pytest.mark.timeout(120)
OPEN_AND_NOTE = """\
id: open-and-note
title: Open a bug for a claim and note it on the claim
owner: U01MARIA
version: 1
review: {every: 365d, last_reviewed: 2026-11-01}
mode: autonomous
trigger: {command: open-and-note}
permissions:
  allow: [jira.create_issue, crm.add_note]
escalation:
  to: [U04LEE]
steps:
  - id: open_bug
    action: jira.create_issue
    with: {project: BUG, issue_type: Bug, summary: "Claim CL-7001 {{ run.id }}"}
    idempotency_key: "bug-{{ run.id }}"
    save_as: bug
    on_failure: {then: escalate}
  - id: note
    action: crm.add_note
    with: {object_type: claim, object_id: CL-7001, body: "Filed {{ bug.key }}"}
    idempotency_key: "note-{{ run.id }}"
    on_failure: {then: escalate}
  - id: done
    end: completed
"""
WAIT = 30.0


class KillOnce:
    """A fault for the fake HubSpot: the first request to ``path`` is done, then the worker
    that sent it is SIGKILLed before it reads the answer; other requests pass through."""

    def __init__(self, portal: FakeHubSpot, method: str, path: str, pid: int) -> None:
        self.portal, self.method, self.path, self.pid = portal, method, path, pid

    def __call__(self, request: Request) -> Response:
        answer = self.portal.handle(request)
        if (request.method, request.path) != (self.method, self.path):
            self.portal.faults.appendleft(self)  # not this one: wait for the next request
        else:
            os.kill(self.pid, signal.SIGKILL)
        return answer


def killing(pid: int) -> Handler:
    def answer(_request: Request) -> Response:
        os.kill(pid, signal.SIGKILL)
        return Response("{}", 500)

    return answer


def test_a_worker_killed_after_each_live_write_leaves_one_issue_and_one_note(
    database: Database, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeJira(httpserver).install()  # below /rest/api/2/; HubSpot answers the rest
    portal = seeded_portal(httpserver)
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "open-and-note.yml").write_text(OPEN_AND_NOTE)
    env = {
        "SOPBOT_CONNECTOR_JIRA": "bot.connectors.jira:connect",
        "SOPBOT_JIRA_URL": fake.url,
        "SOPBOT_JIRA_EMAIL": EMAIL,
        "SOPBOT_JIRA_API_TOKEN": JIRA_TOKEN,
        "SOPBOT_CONNECTOR_CRM": "bot.connectors.hubspot:connect",
        "SOPBOT_HUBSPOT_ACCESS_TOKEN": HUBSPOT_TOKEN,
        "SOPBOT_HUBSPOT_API_URL": httpserver.url_for("/"),
        "SOPBOT_HUBSPOT_MAPPING": str(write_mapping(tmp_path)),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    clock = SharedClock()
    url = database.url.render_as_string(hide_password=False)
    desk = open_engine(settings_for(url, "desk", sops), clock)
    fleet = Fleet(url, clock, tmp_path)
    try:
        run = desk.start("open-and-note", {}, started_by="U02DEV", interactive=False, inline=False)

        fleet.start("first", sops_dir=sops, env=env)
        fleet.may_exit.add("first")  # the tool kills it
        fake.plan("POST", "issue", killing(pid(fleet, "first")), after_doing=True)
        assert fleet.wait_until(lambda: fleet.exited("first"), timeout=WAIT), fleet.tail("first")
        assert fleet.end("first") == -signal.SIGKILL
        assert list(fake.issues) == ["BUG-101"], "Jira created it; the worker died unknowing"

        clock.advance(LEASE + dt.timedelta(seconds=1))
        fleet.start("second", sops_dir=sops, env=env)
        fleet.may_exit.add("second")
        portal.fail_next(KillOnce(portal, "POST", "/crm/v3/objects/notes", pid(fleet, "second")))
        assert fleet.wait_until(lambda: fleet.exited("second"), timeout=WAIT), fleet.tail("second")
        assert fleet.end("second") == -signal.SIGKILL
        assert len(portal.records("notes")) == 1, "HubSpot made it; the worker died unknowing"

        clock.advance(LEASE + dt.timedelta(seconds=1))
        fleet.start("third", sops_dir=sops, env=env)
        finished = fleet.wait_until(lambda: status(desk, run.id) == "completed", timeout=WAIT)
        assert finished, f"{status(desk, run.id)}:\n{fleet.tail('third')}"
        assert fleet.end("third") == 0
    finally:
        fleet.close()
        desk.runtime.close()

    assert list(fake.issues) == ["BUG-101"], "the repeated create found the issue by its label"
    ((note_id, note),) = portal.records("notes").items()
    assert note["hs_note_body"] == "Filed BUG-101"
    assert portal.attached("notes", note_id, "p_freight_claims") == ["3001"]
    with database.session(read_only=True) as session:
        steps = [(r.step_id, r.status) for r in journal.steps_for_run(session, run.id)]
    assert steps == [
        ("open_bug", "interrupted"),
        ("open_bug", "succeeded"),
        ("note", "interrupted"),
        ("note", "succeeded"),
    ]
    assert stuck(database) == []


def pid(fleet: Fleet, worker_id: str) -> int:
    process_id = fleet.running[worker_id].pid
    assert process_id is not None
    return process_id


def status(engine: Engine, run_id: str) -> str:
    (found,) = [run for run in views.history(engine.runtime.database) if run.id == run_id]
    return found.status
