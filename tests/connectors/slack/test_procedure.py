"""SOPs whose ``slack.*`` steps act in the connected Slack workspace (the fake Web API)
through the surface's own client, run by the real engine."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from sqlalchemy import select

from bot.connectors.sandbox.tools import SandboxTools
from bot.connectors.slack import SlackConnector
from storage.models import SandboxCall, StepRecord
from tests.connectors.slack.conftest import TOKEN, Open
from tests.slack.fake_web_api import BOT_USER, FakeSlack, rate_limited, server_error


def _texts(slack: FakeSlack, channel: str) -> list[str]:
    return [str(message["text"]) for message in slack.posted(channel)]


def _told_support(slack: FakeSlack) -> list[str]:
    """What the SOP's step posted in #support (the run's own card is there too)."""
    return [text for text in _texts(slack, "C02SUPPORT") if "needs a look" in text]


def test_an_sop_posts_to_support_and_dms_a_person_in_slack(
    open_sopbot: Open, slack: FakeSlack
) -> None:
    live = open_sopbot()
    assert isinstance(live.engine.runtime.connectors["slack"], SlackConnector)

    run = live.start({"ticket": "T-7"})

    assert run.status == "completed", run.reason
    assert _told_support(slack) == ["Ticket T-7 needs a look"]
    assert _texts(slack, "D01MARIA") == ["You are on T-7"]
    (posted,) = [m for m in slack.posted("C02SUPPORT") if "needs a look" in m["text"]]
    assert posted["metadata"]["event_payload"]["key"] == "tell-T-7", "the step's key rides along"
    with live.engine.runtime.database.session() as session:
        assert list(session.scalars(select(SandboxCall))) == [], "the sandbox was not used"


def test_the_sandbox_still_does_slack_when_the_operator_chooses_it(
    open_sopbot: Open, slack: FakeSlack
) -> None:
    live = open_sopbot(connector={"slack": "sandbox"})
    assert isinstance(live.engine.runtime.connectors["slack"], SandboxTools)

    assert live.start({"ticket": "T-8"}).status == "completed"

    assert _told_support(slack) == []


def test_a_post_whose_answer_was_lost_is_found_on_the_retry_not_posted_again(
    open_sopbot: Open, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", server_error(applied=True))  # Slack kept it, then a 500
    live = open_sopbot()

    run = live.start({"ticket": "T-9"})
    assert run.status != "completed", "the step waits for its retry"
    live.advance(dt.timedelta(seconds=10))

    assert live.run(run.id).status == "completed"
    assert _told_support(slack) == ["Ticket T-9 needs a look"]


def test_a_rate_limited_post_is_tried_again_no_sooner_than_slack_asks(
    open_sopbot: Open, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", rate_limited(retry_after=45))
    live = open_sopbot()

    run = live.start({"ticket": "T-10"})
    live.advance(dt.timedelta(seconds=44))  # the SOP's own backoff (10 s) has long passed
    assert _told_support(slack) == []
    live.advance(dt.timedelta(seconds=1))

    assert _told_support(slack) == ["Ticket T-10 needs a look"]
    assert live.run(run.id).status == "completed"


def test_a_channel_sopbot_is_not_in_escalates_saying_to_invite_the_app(
    open_sopbot: Open, slack: FakeSlack
) -> None:
    slack.members["C02SUPPORT"].discard(BOT_USER)
    live = open_sopbot()

    run = live.start({"ticket": "T-11"})

    assert run.status == "escalated"
    with live.engine.runtime.database.session() as session:
        (step,) = session.scalars(select(StepRecord).where(StepRecord.step_id == "tell"))
        assert "invite the sopbot app to #support" in (step.error or "")
    told = json.dumps(slack.posted("D03SAM"))  # the escalation card, to the escalation contact
    assert "Could not tell #support about T-11" in told
    assert "sopbot is not in #support: invite the sopbot app to #support" in told
    assert _told_support(slack) == []


def test_the_bot_token_never_reaches_logs_audit_or_chat(
    open_sopbot: Open, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack.members["C02SUPPORT"].discard(BOT_USER)  # a refusal, to be written down everywhere
    live = open_sopbot()

    run = live.start({"ticket": TOKEN})  # even a person who pastes it into a run

    assert run.status == "escalated"
    assert slack.calls[0].headers["Authorization"] == f"Bearer {TOKEN}"
    stored = " ".join(repr(vars(event)) for event in live.audit())
    chat = json.dumps([call.args for call in slack.calls])
    assert "invite the sopbot app" in stored
    for text in (stored, chat, caplog.text, run.reason or ""):
        assert TOKEN not in text
