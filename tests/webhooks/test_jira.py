"""``/webhooks/jira``: Jira Cloud's signed webhooks start the SOPs whose trigger names the
``webhookEvent`` and whose filter reads Jira's issue; a redelivery starts nothing twice; an
unsigned delivery is refused unless the operator explicitly allowed unsigned ones."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import MutableMapping
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock.time import ManualClock
from handlers.webhooks.receiver import Webhooks
from storage.database import Database
from storage.models import InboundKey
from tests.webhooks.conftest import DEFAULT_ENVIRONMENT, Receiver, serving
from tests.webhooks.vendors import jira_issue, sender


def test_a_signed_issue_event_starts_the_sop_its_labels_match(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    jira = sender(receiver.base, "jira")
    answer = jira.deliver(jira_issue("BUG-7"), at=receiver.now(), id="wh-1")
    unlabelled = jira.deliver(jira_issue("BUG-8", labels=("ui",)), at=receiver.now(), id="wh-2")
    assert (answer.status_code, unlabelled.status_code) == (202, 202)
    assert receiver.recorded() == 2  # both written down before anything ran
    with caplog.at_level(logging.INFO, logger="bot.app.inbox"):
        receiver.work()
    (run,) = receiver.runs()
    assert run.sop_id == "jira-product-bug"
    assert run.inputs["issue_key"] == "BUG-7"
    assert run.trigger["type"] == "jira:issue_created"
    assert run.trigger["issue"]["fields"]["labels"] == ["product-bug"]
    assert "event jira jira:issue_created started no run: no SOP's event trigger matched" in (
        caplog.messages
    )


def test_a_redelivery_starts_nothing_twice(receiver: Receiver) -> None:
    jira = sender(receiver.base, "jira")
    first = jira.deliver(jira_issue(), at=receiver.now(), id="wh-same")
    receiver.work()
    retried = jira.deliver(jira_issue(), at=receiver.now(), id="wh-same")  # Jira's retry
    receiver.work()
    assert (first.status_code, retried.status_code) == (202, 200)
    assert retried.json() == {"ok": True, "duplicate": True}
    assert len(receiver.runs()) == 1


def test_without_an_identifier_the_same_body_is_the_same_delivery(receiver: Receiver) -> None:
    jira = sender(receiver.base, "jira")
    body = json.dumps(jira_issue()).encode()

    def post(payload: bytes) -> int:
        headers = jira.sign(payload, at=receiver.now(), id="")
        del headers["X-Atlassian-Webhook-Identifier"]
        return jira.post(payload, headers).status_code

    assert [post(body), post(body), post(json.dumps(jira_issue("BUG-9")).encode())] == [
        202,
        200,
        202,
    ]
    receiver.work()
    assert sorted(run.inputs["issue_key"] for run in receiver.runs()) == ["BUG-7", "BUG-9"]


def _unsigned(receiver: Receiver) -> tuple[int, str]:
    jira = sender(receiver.base, "jira")
    body = json.dumps(jira_issue()).encode()
    answer = jira.post(body, {"Content-Type": "application/json"})
    return answer.status_code, answer.json().get("error", "")


WITHOUT_JIRA = {name: value for name, value in DEFAULT_ENVIRONMENT.items() if "_JIRA_" not in name}


def test_without_a_secret_jira_is_closed_until_unsigned_deliveries_are_allowed(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with serving(database, WITHOUT_JIRA) as closed:
        status, error = _unsigned(closed)
        closed.work()
        assert status == 404
        assert "set SOPBOT_WEBHOOK_JIRA_SECRET" in error
        assert closed.runs() == []
    allowed = {**WITHOUT_JIRA, "SOPBOT_WEBHOOK_JIRA_UNSIGNED": "allow"}
    with (
        caplog.at_level(logging.WARNING, logger="sopbot.webhooks"),
        serving(database, allowed) as open_,
    ):
        assert (
            "webhook 'jira' takes UNSIGNED deliveries (SOPBOT_WEBHOOK_JIRA_UNSIGNED=allow): "
            "anyone who can reach /webhooks/jira can start the procedures that listen to it; "
            "set SOPBOT_WEBHOOK_JIRA_SECRET instead"
        ) in caplog.messages
        assert _unsigned(open_)[0] == 202
        open_.work()
        (run,) = open_.runs()
        assert run.inputs["issue_key"] == "BUG-7"


def test_a_secret_is_checked_even_when_unsigned_deliveries_are_allowed(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    both = {**DEFAULT_ENVIRONMENT, "SOPBOT_WEBHOOK_JIRA_UNSIGNED": "allow"}
    with (
        caplog.at_level(logging.WARNING, logger="sopbot.webhooks"),
        serving(database, both) as served,
    ):
        status, error = _unsigned(served)
        assert status == 401
        assert "missing X-Hub-Signature" in error
        assert not any("UNSIGNED" in message for message in caplog.messages)


def test_a_sender_that_hangs_up_mid_body_is_not_taken_for_what_arrived(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A lying Content-Length or a dropped connection: the part that arrived can be JSON of
    its own, but it is not the delivery that was sent (unsigned, nothing else catches it)."""
    webhooks = Webhooks(
        database, ManualClock(dt.datetime(2026, 12, 7, tzinfo=dt.UTC)), {}, unsigned={"jira"}
    )
    part = json.dumps({"webhookEvent": "jira:issue_created"}).encode()
    arriving = iter(
        [
            {"type": "http.request", "body": part, "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return next(arriving)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/webhooks/jira", "headers": []}
    with caplog.at_level(logging.WARNING, logger="sopbot.webhooks"):
        asyncio.run(webhooks("jira", scope, receive, send))
    webhooks.close()
    assert sent[0]["status"] == 400
    assert "hung up before the body ended" in caplog.text
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(InboundKey)) == 0
