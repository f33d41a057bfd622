"""Credentials that stop working mid-run, and tools that echo them back: Jira and HubSpot
both answer 401 after earlier successes with the token in their error text. The step is
not retried (waiting does not renew a token), the run escalates once naming the variable
to fix, and no token appears in any row, chat message or log line."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.config import Settings
from tests.connectors.hubspot.conftest import TOKEN as HUBSPOT_TOKEN
from tests.connectors.hubspot.conftest import seeded_portal, write_mapping
from tests.connectors.hubspot.fake_hubspot import error
from tests.connectors.jira.fake_jira import EMAIL, FakeJira
from tests.connectors.jira.fake_jira import TOKEN as JIRA_TOKEN
from tests.engine.conftest import MakeHarness
from tests.promises.test_secrets import every_stored_value

LIVE = Settings.model_construct(
    connector={"jira": "bot.connectors.jira:connect", "crm": "bot.connectors.hubspot:connect"}
)
BASIC = base64.b64encode(f"{EMAIL}:{JIRA_TOKEN}".encode()).decode()
FILE_THEN = """\
    id: file-then
    title: File a bug, then one more write
    owner: U01MARIA
    version: 1
    review: {{every: 365d, last_reviewed: 2026-11-01}}
    mode: autonomous
    trigger: {{command: file-then}}
    permissions:
      allow: [jira.create_issue, jira.add_comment, crm.add_note]
    escalation:
      to: [U04LEE]
    steps:
      - id: open_bug
        action: jira.create_issue
        with: {{project: BUG, issue_type: Bug, summary: "Claim CL-7001"}}
        save_as: bug
        on_failure: {{retry: {{attempts: 3, backoff: 1m}}, then: escalate}}
      - id: then
        {then}
        idempotency_key: "then-{{{{ run.id }}}}"
        on_failure: {{retry: {{attempts: 3, backoff: 1m}}, then: escalate}}
      - id: done
        end: completed
"""
COMMENT = 'action: jira.add_comment\n        with: {key: "{{ bug.key }}", body: "Seen"}'
NOTE = (
    "action: crm.add_note\n        with: {object_type: claim, object_id: CL-7001, "
    'body: "Filed {{ bug.key }}"}'
)


def echoing_jira(request: Request) -> Response:
    """A revoked token: Jira refuses, quoting what it was sent."""
    sent = request.headers.get("Authorization", "")
    return Response(f"Token expired: {sent} ({JIRA_TOKEN})", 401)


def echoing_hubspot(request: Request) -> Response:
    return error(
        401,
        f"The OAuth token used to make this call expired: {request.headers.get('Authorization')}",
        "EXPIRED_AUTHENTICATION",
    )


@pytest.mark.parametrize(
    ("then", "variable", "planned"),
    [
        (COMMENT, "SOPBOT_JIRA_API_TOKEN", "jira"),
        (NOTE, "SOPBOT_HUBSPOT_ACCESS_TOKEN", "hubspot"),
    ],
)
def test_a_token_revoked_mid_run_escalates_once_and_never_shows(
    make_harness: MakeHarness,
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    then: str,
    variable: str,
    planned: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    jira = FakeJira(httpserver).install()  # below /rest/api/2/; HubSpot answers the rest
    portal = seeded_portal(httpserver)
    monkeypatch.setenv("SOPBOT_JIRA_URL", jira.url)
    monkeypatch.setenv("SOPBOT_JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("SOPBOT_JIRA_API_TOKEN", JIRA_TOKEN)
    monkeypatch.setenv("SOPBOT_HUBSPOT_ACCESS_TOKEN", HUBSPOT_TOKEN)
    monkeypatch.setenv("SOPBOT_HUBSPOT_API_URL", httpserver.url_for("/"))
    monkeypatch.setenv("SOPBOT_HUBSPOT_MAPPING", str(write_mapping(tmp_path)))
    harness = make_harness(FILE_THEN.format(then=then), settings=LIVE)
    if planned == "jira":
        jira.plan("POST", r"issue/BUG-101/comment", echoing_jira)
    else:
        portal.fail_next(echoing_hubspot, times=10)

    run = harness.start("file-then")

    assert list(jira.issues) == ["BUG-101"], "the first call went through"
    assert run.status == "escalated", run.reason
    assert variable in (run.reason or "")
    alerts = [message for message in harness.chat.posted if message.kind == "alert"]
    assert len(alerts) == 1
    tries = (
        jira.requests("POST", r"issue/BUG-101/comment")
        if planned == "jira"
        else [r for r in portal.requests if r[0] == "POST"]
    )
    assert len(tries) == 1, "a refused login is not retried"
    places = [
        *every_stored_value(harness.database),
        *(repr(message) for message in harness.chat.posted),
        caplog.text,
    ]
    leaks = [
        place
        for place in places
        if any(secret in place for secret in (JIRA_TOKEN, BASIC, HUBSPOT_TOKEN))
    ]
    assert leaks == []
