"""Senders that sign exactly as Jira Cloud, HubSpot and Zendesk do (HubSpot through its own
``hubspot-api-client``; Jira and Zendesk publish the algorithm, written here from their
documentation), and sample events shaped like theirs."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import requests
from hubspot.utils.signature import Signature

from tests.webhooks.conftest import VENDOR_SECRETS


@dataclass
class VendorSender(ABC):
    """Posts signed deliveries to one vendor route; ``sign`` is the vendor's own scheme."""

    url: str
    secret: str
    signature: ClassVar[str]
    timed: ClassVar[bool]
    """Whether the signature covers a time (then an old one is refused)."""

    @abstractmethod
    def sign(self, body: bytes, *, at: dt.datetime, id: str) -> dict[str, str]:
        """The headers that sign ``body`` as the vendor does at ``at``."""

    @abstractmethod
    def sample(self) -> Any:
        """An event some guide SOP starts on."""

    def other_json(self) -> Any:
        """JSON that is not this vendor's event."""
        return {"hello": "world"}

    def post(self, body: bytes, headers: dict[str, str]) -> requests.Response:
        return requests.post(self.url, data=body, headers=headers, timeout=30)

    def deliver(self, payload: Any, *, at: dt.datetime, id: str = "d-1") -> requests.Response:
        body = json.dumps(payload).encode()
        return self.post(body, self.sign(body, at=at, id=id))


class JiraSender(VendorSender):
    signature = "X-Hub-Signature"
    timed = False

    def sign(self, body: bytes, *, at: dt.datetime, id: str) -> dict[str, str]:
        digest = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        return {
            "X-Hub-Signature": f"sha256={digest}",
            "X-Atlassian-Webhook-Identifier": id,
            "Content-Type": "application/json",
        }

    def sample(self) -> Any:
        return jira_issue()


class HubSpotSender(VendorSender):
    signature = "X-HubSpot-Signature-v3"
    timed = True

    def sign(self, body: bytes, *, at: dt.datetime, id: str) -> dict[str, str]:
        stamp = str(int(at.timestamp() * 1000))
        try:
            text = body.decode()
        except UnicodeDecodeError:  # HubSpot's scheme over raw bytes; its client takes text
            message = b"POST" + self.url.encode() + body + stamp.encode()
            digest = hmac.new(self.secret.encode(), message, hashlib.sha256).digest()
            signature = base64.b64encode(digest).decode()
        else:
            signature = Signature.get_signature(
                self.secret, text, "v3", http_uri=self.url, http_method="POST", timestamp=stamp
            )
        return {
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": stamp,
            "X-HubSpot-Signature-Version": "v3",
            "Content-Type": "application/json",
        }

    def sample(self) -> Any:
        return [hubspot_event()]


class ZendeskSender(VendorSender):
    signature = "X-Zendesk-Webhook-Signature"
    timed = True

    def sign(self, body: bytes, *, at: dt.datetime, id: str) -> dict[str, str]:
        stamp = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        digest = hmac.new(self.secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
        return {
            "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
            "X-Zendesk-Webhook-Invocation-Id": id,
            "X-Zendesk-Webhook-Id": "01F1KRFQ6BG29CNWFR60NK5FNY",
            "X-Zendesk-Account-Id": "12514403",
            "Content-Type": "application/json",
        }

    def sample(self) -> Any:
        return zendesk_ticket()


SENDERS: dict[str, type[VendorSender]] = {
    "jira": JiraSender,
    "hubspot": HubSpotSender,
    "zendesk": ZendeskSender,
}


def sender(base: str, name: str, secret: str | None = None) -> VendorSender:
    """The vendor ``name``'s sender to the receiver at ``base``, with its configured secret."""
    return SENDERS[name](f"{base}/webhooks/{name}", secret or VENDOR_SECRETS[name])


def jira_issue(
    key: str = "BUG-7",
    labels: tuple[str, ...] = ("product-bug",),
    event: str = "jira:issue_created",
) -> dict[str, Any]:
    """A Jira Cloud issue event, trimmed to the fields the tests read."""
    return {
        "timestamp": 1763888400000,
        "webhookEvent": event,
        "issue_event_type_name": "issue_created",
        "user": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Dev"},
        "issue": {
            "id": "10042",
            "self": "https://acme.atlassian.net/rest/api/2/issue/10042",
            "key": key,
            "fields": {
                "summary": "Checkout fails with a 500",
                "labels": list(labels),
                "project": {"key": key.split("-")[0]},
                "issuetype": {"name": "Bug"},
            },
        },
    }


def hubspot_event(
    event_id: int = 1001, value: str = "HIGH", object_id: int = 4242
) -> dict[str, Any]:
    """One HubSpot webhook event: a ticket's priority changed."""
    return {
        "eventId": event_id,
        "subscriptionId": 2345,
        "portalId": 62515,
        "appId": 54321,
        "occurredAt": 1763888400000,
        "subscriptionType": "ticket.propertyChange",
        "attemptNumber": 0,
        "objectId": object_id,
        "propertyName": "hs_ticket_priority",
        "propertyValue": value,
        "changeSource": "CRM_UI",
        "sourceId": "userId:45678",
    }


def zendesk_ticket(ticket_id: str = "35436", tags: tuple[str, ...] = ("vip",)) -> dict[str, Any]:
    """A Zendesk event: a ticket was created."""
    return {
        "type": "zen:event-type:ticket.created",
        "account_id": 12514403,
        "id": "2b24ef10-19d4-4740-93cf-8f98ec4776c0",
        "time": "2026-11-23T09:00:00Z",
        "zendesk_event_version": "2022-11-06",
        "subject": f"zen:ticket:{ticket_id}",
        "detail": {
            "id": ticket_id,
            "status": "NEW",
            "priority": "HIGH",
            "subject": "Cannot log in",
            "tags": list(tags),
            "via": {"channel": "web"},
        },
        "event": {"meta": {"sequence": {"id": "C20565CD", "position": 1, "total": 1}}},
    }
