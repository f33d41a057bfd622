"""The sample ``bug-escalation`` SOP run by the real engine with ``jira`` on the live
connector (``SOPBOT_CONNECTOR_JIRA``) against the fake Jira and everything else on the
sandbox: the bug is opened in Jira and its key and link flow into the later steps. A Jira
that echoes the credential in a refusal gets it masked everywhere sopbot writes."""

from __future__ import annotations

import base64
import logging

import pytest
from sqlalchemy import select
from werkzeug import Request, Response

from bot.connectors.jira import JiraConnector
from bot.harness import Harness
from bot.procedure.loader import load_file
from storage.models import AuditEvent, StepRecord
from tests.connectors.jira.conftest import LIVE_JIRA
from tests.connectors.jira.fake_jira import EMAIL, TOKEN, FakeJira, refusal
from tests.engine.conftest import MakeHarness
from tests.scenarios.conftest import SOPS

BASIC = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()


@pytest.fixture
def harness(make_harness: MakeHarness, live_jira: FakeJira) -> Harness:
    return make_harness(load_file(SOPS / "bug-escalation.yml"), settings=LIVE_JIRA)


def test_the_bug_is_opened_in_jira_and_its_key_reaches_the_note_and_the_channel(
    harness: Harness, fake: FakeJira
) -> None:
    assert isinstance(harness.engine.runtime.connectors["jira"], JiraConnector)

    run = harness.start("bug-escalation", {"ticket_id": "T-501"})

    assert run.status == "completed", run.reason
    issue = fake.issues["BUG-101"]
    assert issue["summary"] == "[enterprise] Exported manifests drop the last row"
    assert (issue["issuetype"], issue["priority"]) == ("Bug", "High")
    assert issue["labels"][:2] == ["product-bug", "tier-enterprise"]
    assert issue["labels"][2].startswith("sopbot-"), "the engine's key marks the issue"
    assert harness.tool_calls("jira.create_issue") == [], "the sandbox Jira was not used"
    (note,) = harness.tool_calls("crm.add_note")
    assert f"Logged as BUG-101 ({fake.url}/browse/BUG-101)" in note.arguments["body"]
    (post,) = harness.tool_calls("slack.post")
    assert f"<{fake.url}/browse/BUG-101|BUG-101>" in post.arguments["text"]


def test_a_credential_jira_echoes_never_reaches_the_audit_trail_chat_or_logs(
    harness: Harness, fake: FakeJira, caplog: pytest.LogCaptureFixture
) -> None:
    def echoing(request: Request) -> Response:
        header = request.headers["Authorization"]
        return refusal(400, [f"Cannot parse request sent with {header} (token {TOKEN})"])

    fake.plan("POST", "issue", echoing)
    caplog.set_level(logging.DEBUG)

    run = harness.start("bug-escalation", {"ticket_id": "T-501"})

    assert run.status == "escalated"
    assert "Could not open a Jira bug for ticket T-501" in (run.reason or "")
    with harness.database.session() as session:
        rows = [
            *session.scalars(select(AuditEvent)),
            *session.scalars(select(StepRecord)),
        ]
    stored = " ".join(repr(vars(row)) for row in rows)
    chat = " ".join(repr(message) for message in harness.chat.posted)
    assert "Cannot parse request sent with Basic ••••" in stored, "the failure is on record"
    assert "Cannot parse request sent with Basic ••••" in chat
    for text in (stored, chat, caplog.text, run.reason or ""):
        assert TOKEN not in text
        assert BASIC not in text
