"""``/webhooks/hubspot``: a batch of HubSpot events signed with signature v3 (by HubSpot's
own client library) is verified against the public URL HubSpot posted to; each event is
recorded and deduplicated on its own, and starts the SOPs its type and fields match."""

from __future__ import annotations

import json

import requests

from storage.database import Database
from tests.webhooks.conftest import DEFAULT_ENVIRONMENT, VENDOR_SECRETS, Receiver, serving
from tests.webhooks.vendors import HubSpotSender, hubspot_event, sender


def test_each_event_of_a_batch_is_recorded_and_starts_what_it_matches(
    receiver: Receiver,
) -> None:
    hubspot = sender(receiver.base, "hubspot")
    batch = [hubspot_event(1001, "HIGH", 4242), hubspot_event(1002, "LOW", 4243)]
    answer = hubspot.deliver(batch, at=receiver.now())
    assert answer.status_code == 202, answer.text
    assert receiver.recorded() == 2
    receiver.work()
    (run,) = receiver.runs()
    assert run.sop_id == "hubspot-ticket-escalation"
    assert run.inputs["ticket_id"] == "4242"
    assert run.trigger["type"] == "ticket.propertyChange"


def test_a_retried_batch_starts_only_the_events_not_seen_before(receiver: Receiver) -> None:
    hubspot = sender(receiver.base, "hubspot")
    first = hubspot.deliver([hubspot_event(1001, object_id=1)], at=receiver.now())
    receiver.work()
    retried = {**hubspot_event(1001, object_id=1), "attemptNumber": 1}
    again = hubspot.deliver([retried], at=receiver.now())
    mixed = hubspot.deliver([retried, hubspot_event(1003, object_id=3)], at=receiver.now())
    receiver.work()
    assert [first.status_code, again.status_code, mixed.status_code] == [202, 200, 202]
    assert again.json() == {"ok": True, "duplicate": True}
    assert sorted(run.inputs["ticket_id"] for run in receiver.runs()) == ["1", "3"]
    assert receiver.recorded() == 2


def _signed_for(
    public: str, receiver: Receiver, *, path: str = "", event_id: int = 1001
) -> requests.Response:
    """A batch HubSpot signed for ``public`` + the route, posted to the loopback server."""
    body = json.dumps([hubspot_event(event_id, object_id=event_id)]).encode()
    as_hubspot = HubSpotSender(f"{public}/webhooks/hubspot{path}", VENDOR_SECRETS["hubspot"])
    headers = as_hubspot.sign(body, at=receiver.now(), id="")
    return requests.post(
        f"{receiver.base}/webhooks/hubspot{path.replace(':', '%3A')}",
        data=body,
        headers={**headers, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "hooks.example.com"},
        timeout=30,
    )


def test_the_signed_url_is_the_public_one_from_the_setting(database: Database) -> None:
    public = {**DEFAULT_ENVIRONMENT, "SOPBOT_PUBLIC_URL": "https://ops.example.com/sopbot/"}
    with serving(database, public) as receiver:
        answer = _signed_for("https://ops.example.com/sopbot", receiver)
        assert answer.status_code == 202, answer.text
        # HubSpot signs the URL with %3A decoded to ":"
        query = _signed_for(
            "https://ops.example.com/sopbot", receiver, path="?portal=a:b", event_id=1002
        )
        assert query.status_code == 202, query.text
        receiver.work()
        assert sorted(run.inputs["ticket_id"] for run in receiver.runs()) == ["1001", "1002"]


def test_without_the_setting_the_url_is_the_one_the_proxy_describes(
    receiver: Receiver,
) -> None:
    answer = _signed_for("https://hooks.example.com", receiver)
    assert answer.status_code == 202, answer.text
    elsewhere = _signed_for("https://ops.example.com/sopbot", receiver)
    assert elsewhere.status_code == 401
    assert "X-HubSpot-Signature-v3 does not match the body" in elsewhere.json()["error"]
