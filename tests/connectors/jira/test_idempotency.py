"""A keyed ``jira.create_issue`` opens one issue however often it is repeated: the issue
carries a label made from the key, and sopbot searches for it before creating, so a step
done again after a crash (Jira created the issue, sopbot never recorded it) gets the same
issue back."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.harness import Harness
from tests.connectors.jira.conftest import LIVE_JIRA, Call
from tests.connectors.jira.fake_jira import FakeJira, refusal
from tests.engine.conftest import MakeHarness

BUG = {"project": "BUG", "issue_type": "Bug", "summary": "Exports drop the last row"}


def test_the_same_key_after_a_crash_returns_the_issue_jira_already_created(
    call: Call, fake: FakeJira
) -> None:
    first = call("jira.create_issue", BUG, key="r-1/open_bug/0")
    # the process died here: Jira holds the issue, sopbot has no record of its answer
    again = call("jira.create_issue", BUG, key="r-1/open_bug/0")

    assert again == first == {"key": "BUG-101", "url": f"{fake.url}/browse/BUG-101"}
    assert list(fake.issues) == ["BUG-101"]
    assert len(fake.requests("POST", "issue")) == 1
    (label,) = fake.issues["BUG-101"]["labels"]
    assert label.startswith("sopbot-")
    assert "r-1" not in label, "the key is hashed, a label cannot hold every character"


def test_another_key_or_no_key_opens_another_issue(call: Call, fake: FakeJira) -> None:
    call("jira.create_issue", BUG, key="r-1/open_bug/0")
    call("jira.create_issue", BUG, key="r-2/open_bug/0")
    call("jira.create_issue", BUG)

    assert list(fake.issues) == ["BUG-101", "BUG-102", "BUG-103"]
    assert fake.issues["BUG-103"]["labels"] == []


WITH_RETRY = """\
    id: file-bug
    title: File a bug
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: file-bug}
    inputs:
      ticket: {type: string}
    permissions:
      allow: [jira.create_issue]
    escalation:
      to: [U04LEE]
    steps:
      - id: open_bug
        action: jira.create_issue
        with: {project: BUG, issue_type: Bug, summary: "Bug from {{ inputs.ticket }}"}
        idempotency_key: "bug-{{ inputs.ticket }}"
        save_as: bug
        on_failure:
          retry: {attempts: 2, backoff: 1m}
          then: escalate
      - id: done
        end: completed
        message: "Opened {{ bug.key }}"
"""


@pytest.fixture
def harness(make_harness: MakeHarness, live_jira: FakeJira) -> Harness:
    return make_harness(WITH_RETRY, settings=LIVE_JIRA)


def test_an_answer_lost_after_jira_created_the_issue_is_retried_into_the_same_issue(
    harness: Harness, fake: FakeJira
) -> None:
    fake.plan("POST", "issue", lambda _r: refusal(504, ["Gateway timeout"]), after_doing=True)

    run = harness.start("file-bug", {"ticket": "T-501"})
    assert run.status == "waiting_timer"
    assert list(fake.issues) == ["BUG-101"], "Jira created it; sopbot heard a 504"

    harness.advance(dt.timedelta(minutes=1))

    run = harness.run(run.id)
    assert run.status == "completed", run.reason
    assert run.reason == "Opened BUG-101"
    assert list(fake.issues) == ["BUG-101"]
    searches = fake.requests("GET", "search/jql")
    assert len(searches) == 2, "a search before each try"
    assert json.loads(fake.requests("POST", "issue")[0].get_data())["fields"]["labels"] == [
        fake.issues["BUG-101"]["labels"][0]
    ]
