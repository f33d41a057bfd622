"""Jira's 429s through a step's retry rule: the step waits as long as Jira asks (a retry
timer, not a thread), and a wait past any sense (Jira or a proxy sending years) goes to the
failure rule at once instead of crashing the engine on the calendar's end."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug import Response

from bot.harness import Harness
from tests.connectors.jira.conftest import LIVE_JIRA
from tests.connectors.jira.fake_jira import FakeJira
from tests.connectors.jira.test_idempotency import WITH_RETRY
from tests.engine.conftest import MakeHarness


@pytest.fixture
def harness(make_harness: MakeHarness, live_jira: FakeJira) -> Harness:
    return make_harness(WITH_RETRY, settings=LIVE_JIRA)


def limited(seconds: str) -> Response:
    return Response("Rate limit exceeded", 429, {"Retry-After": seconds})


def test_a_retry_after_of_an_hour_is_waited_out_past_the_rule_s_backoff(
    harness: Harness, fake: FakeJira
) -> None:
    fake.plan("POST", "issue", lambda _r: limited("3600"))

    run = harness.start("file-bug", {"ticket": "T-501"})
    harness.advance(dt.timedelta(minutes=59))
    assert harness.run(run.id).status == "waiting_timer", "the 1m backoff gave way to Jira's hour"
    harness.advance(dt.timedelta(minutes=1))

    assert harness.run(run.id).status == "completed"
    assert list(fake.issues) == ["BUG-101"]


def test_a_retry_after_beyond_a_day_escalates_at_once_with_jira_s_words(
    harness: Harness, fake: FakeJira
) -> None:
    fake.plan("POST", "issue", lambda _r: limited("99999999999999"))

    run = harness.start("file-bug", {"ticket": "T-501"})

    assert run.status == "escalated"
    assert "Jira is rate limiting sopbot (429); it asks to wait 1e+14s" in (run.reason or "")
    assert len(fake.requests("POST", "issue")) == 1
