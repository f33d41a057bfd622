"""Every vendor route refuses what its vendor would never send, says why in the answer and
the log, starts nothing, and never shows the secret: a wrong or missing signature, a body
changed on the way, a signed time replayed after the window (on the receiver's clock),
random bytes, JSON that is not the vendor's event, a body over the limit."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.webhooks.conftest import VENDOR_SECRETS, Receiver
from tests.webhooks.vendors import SENDERS, VendorSender, sender

Send = Callable[[VendorSender, dt.datetime], tuple[bytes, dict[str, str]]]


@dataclass(frozen=True)
class Case:
    send: Send
    status: int
    reason: str
    """What the answer says, ``{signature}`` standing for the vendor's signature header."""
    later: dt.timedelta = dt.timedelta()
    """How long after signing it arrives, on the receiver's clock."""


def _sample(sender: VendorSender) -> bytes:
    return json.dumps(sender.sample()).encode()


def _other_secret(sender: VendorSender, at: dt.datetime) -> tuple[bytes, dict[str, str]]:
    forger = type(sender)(sender.url, "a-secret-of-someone-else")
    return _sample(sender), forger.sign(_sample(sender), at=at, id="d-1")


def _unsigned(sender: VendorSender, at: dt.datetime) -> tuple[bytes, dict[str, str]]:
    headers = sender.sign(_sample(sender), at=at, id="d-1")
    del headers[sender.signature]
    return _sample(sender), headers


def _changed(sender: VendorSender, at: dt.datetime) -> tuple[bytes, dict[str, str]]:
    headers = sender.sign(_sample(sender), at=at, id="d-1")
    return _sample(sender).replace(b"5", b"6"), headers


def _signed(body: bytes) -> Send:
    return lambda sender, at: (body, sender.sign(body, at=at, id="d-1"))


def _signed_sample(sender: VendorSender, at: dt.datetime) -> tuple[bytes, dict[str, str]]:
    return _signed(_sample(sender))(sender, at)


def _other_json(sender: VendorSender, at: dt.datetime) -> tuple[bytes, dict[str, str]]:
    return _signed(json.dumps(sender.other_json()).encode())(sender, at)


MISMATCH = "{signature} does not match the body"
CASES = {
    "signed with another secret": Case(_other_secret, 401, MISMATCH),
    "no signature": Case(_unsigned, 401, "missing {signature}"),
    "body changed on the way": Case(_changed, 401, MISMATCH),
    "replayed 6 minutes later": Case(
        _signed_sample, 401, "more than 5 minutes from this server's clock", dt.timedelta(minutes=6)
    ),
    "random bytes": Case(_signed(os.urandom(4096)), 400, "not JSON"),
    "NaN is not JSON": Case(_signed(b'{"webhookEvent": "x", "n": NaN}'), 400, "not JSON"),
    "JSON that is not the vendor's event": Case(_other_json, 422, "must be"),
    "10 MB body": Case(_signed(b"[" + b"1," * 5_000_000 + b"1]"), 413, "over 1000000 bytes"),
}
PAIRS = [
    (vendor, case)
    for vendor, kind in SENDERS.items()
    for case, chosen in CASES.items()
    if kind.timed or not chosen.later  # Jira's signature covers no time to replay
]


@pytest.mark.parametrize(("vendor", "case"), PAIRS, ids=[f"{v}-{c}" for v, c in PAIRS])
def test_a_refused_vendor_delivery_says_why_starts_nothing_and_hides_the_secret(
    receiver: Receiver, vendor: str, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    chosen, to = CASES[case], sender(receiver.base, vendor)
    body, headers = chosen.send(to, receiver.now())
    receiver.harness.clock.advance(chosen.later)
    with caplog.at_level(logging.DEBUG):
        answer = to.post(body, headers)
        receiver.work()
    reason = chosen.reason.format(signature=to.signature)
    assert answer.status_code == chosen.status, answer.text
    assert answer.json()["ok"] is False
    assert reason in answer.json()["error"]
    assert any(reason in record.getMessage() for record in caplog.records)
    assert receiver.recorded() == 0
    assert receiver.runs() == []
    assert VENDOR_SECRETS[vendor] not in caplog.text + answer.text


@pytest.mark.parametrize("vendor", SENDERS)
def test_a_vendor_delivery_signed_in_time_is_taken_on_the_receivers_clock(
    receiver: Receiver, vendor: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Signed 4 minutes before the receiver's (test) clock, far from wall time: taken."""
    to = sender(receiver.base, vendor)
    with caplog.at_level(logging.DEBUG):
        answer = to.deliver(to.sample(), at=receiver.now() - dt.timedelta(minutes=4))
        receiver.work()
    assert answer.status_code == 202, answer.text
    (run,) = receiver.runs()
    assert run.trigger["source"] == vendor
    assert VENDOR_SECRETS[vendor] not in caplog.text
