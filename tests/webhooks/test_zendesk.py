"""``/webhooks/zendesk``: Zendesk's signed events (and a trigger's own JSON, which names its
``type``) start the SOPs whose trigger matches; a redelivery keeps its invocation id and
starts nothing twice."""

from __future__ import annotations

import json
import logging

import pytest

from tests.webhooks.conftest import Receiver
from tests.webhooks.vendors import sender, zendesk_ticket


def test_a_signed_ticket_event_starts_the_sop_its_tags_match(receiver: Receiver) -> None:
    zendesk = sender(receiver.base, "zendesk")
    vip = zendesk.deliver(zendesk_ticket("35436"), at=receiver.now(), id="8350205582")
    other = zendesk.deliver(zendesk_ticket("35437", tags=()), at=receiver.now(), id="8350205583")
    assert (vip.status_code, other.status_code) == (202, 202)
    assert receiver.recorded() == 2
    receiver.work()
    (run,) = receiver.runs()
    assert run.sop_id == "zendesk-vip-ticket"
    assert run.inputs["ticket_id"] == "35436"
    assert run.trigger["type"] == "zen:event-type:ticket.created"


def test_a_redelivery_starts_nothing_twice(receiver: Receiver) -> None:
    zendesk = sender(receiver.base, "zendesk")
    first = zendesk.deliver(zendesk_ticket(), at=receiver.now(), id="8350205582")
    receiver.work()
    retried = zendesk.deliver(zendesk_ticket(), at=receiver.now(), id="8350205582")
    receiver.work()
    assert (first.status_code, retried.status_code) == (202, 200)
    assert len(receiver.runs()) == 1


def test_a_triggers_own_json_is_taken_by_the_type_it_names(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    zendesk = sender(receiver.base, "zendesk")
    body = json.dumps({"type": "ticket.escalated", "ticket_id": "35436", "priority": "urgent"})
    headers = zendesk.sign(body.encode(), at=receiver.now(), id="")
    del headers["X-Zendesk-Webhook-Invocation-Id"]  # then the body's hash is the key
    answers = [zendesk.post(body.encode(), headers).status_code for _ in range(2)]
    with caplog.at_level(logging.INFO, logger="bot.app.inbox"):
        receiver.work()
    assert answers == [202, 200]
    assert "event zendesk ticket.escalated started no run: no SOP's event trigger matched" in (
        caplog.messages
    )
