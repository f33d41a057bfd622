"""Verifying a delivery that follows the Standard Webhooks specification
(https://www.standardwebhooks.com): ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` over the exact body bytes, checked by the ``standardwebhooks`` package
(its tolerance: the timestamp within 5 minutes of this server's clock, so an old delivery
replayed is refused), then the body read as the spec's ``{"type", "timestamp", "data"}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import EmptyWebhookSecretError, WebhookVerificationError

HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class Refused(Exception):
    """A delivery that is not taken: the HTTP status and a reason the sender can act on."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Delivery:
    """A verified delivery: its id (the dedupe key), its event type and the event's fields."""

    id: str
    type: str
    data: dict[str, Any]


_TIMESTAMP = (
    "webhook-timestamp is more than 5 minutes from this server's clock: an old delivery "
    "replayed, or the sender's clock is wrong"
)
_LIBRARY_REASONS = {
    "Message timestamp too old": (401, _TIMESTAMP),
    "Message timestamp too new": (401, _TIMESTAMP),
    "Invalid Signature Headers": (400, "webhook-timestamp is not a Unix time in seconds"),
}


def verify(secret: str, setting: str, body: bytes, headers: Mapping[str, str]) -> Delivery:
    """The delivery in ``body``, or ``Refused`` saying what is wrong with it. ``setting``
    names the secret's variable, for the reasons that point at it."""
    missing = [name for name in HEADERS if not headers.get(name)]
    if missing:
        raise Refused(
            400,
            f"missing {', '.join(missing)}: deliveries must be signed following the "
            "Standard Webhooks specification",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the body is not JSON (it is not even UTF-8 text)") from None
    try:
        webhook = Webhook(secret)
    except (ValueError, EmptyWebhookSecretError):
        raise Refused(
            500,
            f"this webhook's secret is unusable: {setting} must be a Standard Webhooks "
            "secret, whsec_ followed by base64; the operator must fix it",
        ) from None
    try:
        webhook.verify(text, dict(headers), json_parse=False)
    except WebhookVerificationError as error:
        status, reason = _LIBRARY_REASONS.get(
            str(error),
            (
                401,
                f"webhook-signature does not match the body: the sender signs with a "
                f"different secret than {setting}, or the body was changed on the way",
            ),
        )
        raise Refused(status, reason) from None
    except ValueError:  # a signature that is not "v1,<base64>"
        raise Refused(
            401, "webhook-signature is malformed: expected v1,<base64> signatures"
        ) from None
    return Delivery(headers["webhook-id"], *_event(text))


def _event(text: str) -> tuple[str, dict[str, Any]]:
    """The event type and fields of a verified body."""
    try:
        payload = json.loads(text)
    except ValueError:
        raise Refused(400, "the body is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise Refused(422, 'the body must be a JSON object with a string "type"')
    data = payload.get("data", {})
    if not isinstance(data, dict):
        raise Refused(422, 'the event\'s fields ("data") must be a JSON object')
    return payload["type"], data
