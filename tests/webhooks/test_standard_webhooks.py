"""Signed deliveries to ``/webhooks/NAME`` (Standard Webhooks): a verified one is recorded
before its 2xx and starts the SOPs whose event triggers match, once however often it comes;
a refused one says why and starts nothing."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from handlers.webhooks.standard import verify
from handlers.webhooks.verifying import Refused, Request
from tests.webhooks.conftest import Receiver, Sender

REFUND = {"type": "order.refund_requested", "timestamp": "2026-12-02T10:00:00Z"}


def _delivery(order_id: str = "1042", amount: float = 30) -> dict[str, object]:
    return {**REFUND, "data": {"order_id": order_id, "amount": amount}}


def test_a_signed_delivery_is_recorded_before_its_answer_and_starts_one_run(
    receiver: Receiver,
) -> None:
    answer = receiver.sender().deliver(_delivery())
    assert answer.status_code == 202
    assert answer.json() == {"ok": True}
    assert receiver.recorded() == 1  # durable before anything ran
    assert receiver.runs() == []

    receiver.work()
    (run,) = receiver.runs()
    assert run.sop_id == "order-refund"
    assert run.inputs["order_id"] == "1042"
    assert run.trigger["source"] == "orders"
    assert run.trigger["type"] == "order.refund_requested"


def test_events_no_sop_listens_for_are_taken_and_start_nothing(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    sender = receiver.sender()
    other_type = sender.deliver({"type": "order.shipped", "data": {"order_id": "7"}}, id="a")
    filtered_out = sender.deliver(_delivery(amount=0), id="b")
    assert (other_type.status_code, filtered_out.status_code) == (202, 202)
    with caplog.at_level(logging.INFO, logger="bot.app.inbox"):
        receiver.work()
    assert "event orders order.shipped started no run: no SOP's event trigger matched" in (
        caplog.messages
    )
    assert receiver.runs() == []
    assert receiver.recorded() == 2


def test_the_same_delivery_twice_starts_one_run(receiver: Receiver) -> None:
    sender = receiver.sender()
    first = sender.deliver(_delivery(), id="msg_twice")
    # the sender's retry: the same id, signed again
    again = sender.deliver(_delivery(), id="msg_twice")
    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json() == {"ok": True, "duplicate": True}
    receiver.work()
    late = sender.deliver(_delivery(), id="msg_twice")  # after the run started, too
    receiver.work()
    assert late.json()["duplicate"] is True
    assert len(receiver.runs()) == 1
    assert receiver.recorded() == 1


def test_one_delivery_sent_from_fifty_threads_at_once_starts_one_run(receiver: Receiver) -> None:
    """The group commit shares transactions between requests: the same id in one batch, or
    in two at once, must still be recorded once."""
    sender = receiver.sender()
    body = json.dumps(_delivery()).encode()
    headers = sender.signed(body, id="msg_burst")
    together = threading.Barrier(50)

    def send(_: int) -> int:
        together.wait(timeout=10)
        return sender.post(body, headers).status_code

    with ThreadPoolExecutor(50) as pool:
        statuses = sorted(pool.map(send, range(50)))
    assert statuses == [200] * 49 + [202]
    receiver.work()
    assert len(receiver.runs()) == 1
    assert receiver.recorded() == 1


def _bad_signature(sender: Sender, body: bytes) -> dict[str, str]:
    other = Sender(sender.url, secret="whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", now=sender.now)
    return other.signed(body)


def _old(sender: Sender, body: bytes) -> dict[str, str]:
    return sender.signed(body, at=sender.now() - dt.timedelta(minutes=10))


def _unsigned(sender: Sender, body: bytes) -> dict[str, str]:
    headers = sender.signed(body)
    del headers["webhook-signature"]
    return headers


def _mangled(sender: Sender, body: bytes) -> dict[str, str]:
    return {**sender.signed(body), "webhook-signature": "v1 not-base64"}


GOOD = json.dumps(_delivery()).encode()
REFUSALS = {
    "bad signature": (GOOD, _bad_signature, 401, "webhook-signature does not match the body"),
    "mangled signature": (GOOD, _mangled, 401, "webhook-signature is malformed"),
    "missing signature": (GOOD, _unsigned, 400, "missing webhook-signature"),
    "old timestamp": (GOOD, _old, 401, "more than 5 minutes from this server's clock"),
    "random bytes": (os.urandom(4096), Sender.signed, 400, "not JSON"),
    "signed text that is not JSON": (b"order 1042, please", Sender.signed, 400, "not JSON"),
    "JSON without a type": (b'{"data": {}}', Sender.signed, 422, 'string "type"'),
    # read as Infinity, which no database stores as JSON: it was a 503 the sender retried forever
    "number past a float": (
        b'{"type": "order.refund_requested", "data": {"order_id": "1", "amount": 1e999}}',
        Sender.signed,
        400,
        "the number 1e999 is too large",
    ),
    "10 MB body": (b"[" + b"1," * 5_000_000 + b"1]", Sender.signed, 413, "over 1000000 bytes"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_refused_delivery_says_why_and_starts_nothing(
    receiver: Receiver, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    body, sign, status, reason = REFUSALS[case]
    sender = receiver.sender()
    try:
        headers = sign(sender, body)
    except UnicodeDecodeError:  # random bytes cannot be signed as text: send a signature anyway
        headers = sender.signed(b"")
    with caplog.at_level(logging.WARNING, logger="sopbot.webhooks"):
        answer = sender.post(body, headers)
    assert answer.status_code == status
    assert answer.json()["ok"] is False
    assert reason in answer.json()["error"]
    assert any(reason in record.getMessage() for record in caplog.records)
    receiver.work()
    assert receiver.recorded() == 0
    assert receiver.runs() == []


def test_a_webhook_without_a_secret_is_404_and_says_which_variable_to_set(
    receiver: Receiver,
) -> None:
    answer = receiver.sender("billing").deliver(_delivery())
    assert answer.status_code == 404
    assert "set SOPBOT_WEBHOOK_BILLING_SECRET" in answer.json()["error"]
    badly_named = receiver.sender("Billing-Events").deliver(_delivery())
    assert badly_named.status_code == 404
    assert "lower-case letters, digits and _" in badly_named.json()["error"]
    assert receiver.recorded() == 0


def test_a_delivery_must_be_posted(receiver: Receiver) -> None:
    answer = requests.get(receiver.sender().url, timeout=30)
    assert answer.status_code == 405
    assert answer.json()["error"] == "webhooks are delivered with POST"


def test_an_unusable_secret_is_the_operators_to_fix_and_says_which_variable() -> None:
    body = json.dumps(_delivery()).encode()
    headers = Sender("http://unused").signed(body)
    request = Request(
        method="POST",
        uri="http://unused/webhooks/orders",
        headers=headers,
        body=body,
        now=dt.datetime.now(dt.UTC),
        setting="SOPBOT_WEBHOOK_ORDERS_SECRET",
        secret="whsec_",
    )
    with pytest.raises(Refused) as refused:
        verify(request)
    assert refused.value.status == 500
    assert "SOPBOT_WEBHOOK_ORDERS_SECRET must be a Standard Webhooks secret" in refused.value.reason
