"""Verifying a delivery that follows the Standard Webhooks specification
(https://www.standardwebhooks.com): ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` over the exact body, signed as the ``standardwebhooks`` package signs
(it decodes the ``whsec_`` secret and makes the ``v1`` signature); the timestamp must be
within 5 minutes of the receiver's clock, so an old delivery replayed is refused. The body
is then read as the spec's ``{"type", "timestamp", "data"}``.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import EmptyWebhookSecretError

from handlers.webhooks.verifying import (
    Delivery,
    Refused,
    Request,
    json_body,
    mismatched,
    require_fresh,
)

HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
_SIGNATURES = re.compile(r"^v\d+,[A-Za-z0-9+/]+={0,2}( v\d+,[A-Za-z0-9+/]+={0,2})*$")
"""Space-separated versioned signatures, ``v1,<base64>``, as the specification writes them."""


def verify(request: Request) -> list[Delivery]:
    """The one event in the request's body, or ``Refused`` saying what is wrong with it."""
    headers, setting = request.headers, request.setting
    missing = [name for name in HEADERS if not headers.get(name)]
    if missing:
        raise Refused(
            400,
            f"missing {', '.join(missing)}: deliveries must be signed following the "
            "Standard Webhooks specification",
        )
    if not _SIGNATURES.match(headers["webhook-signature"]):
        raise Refused(401, "webhook-signature is malformed: expected v1,<base64> signatures")
    try:
        sent = dt.datetime.fromtimestamp(int(headers["webhook-timestamp"]), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise Refused(400, "webhook-timestamp is not a Unix time in seconds") from None
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the body is not JSON (it is not even UTF-8 text)") from None
    try:
        webhook = Webhook(request.secret or "")
    except (ValueError, EmptyWebhookSecretError):
        raise Refused(
            500,
            f"this webhook's secret is unusable: {setting} must be a Standard Webhooks "
            "secret, whsec_ followed by base64; the operator must fix it",
        ) from None
    expected = webhook.sign(headers["webhook-id"], sent, text).encode()
    given = headers["webhook-signature"].split(" ")
    if not any(hmac.compare_digest(expected, signature.encode()) for signature in given):
        raise mismatched(request, "webhook-signature")
    require_fresh(sent, request.now, "webhook-timestamp")
    return [Delivery(headers["webhook-id"], *_event(text))]


def _event(text: str) -> tuple[str, dict[str, Any]]:
    """The event type and fields of a verified body."""
    payload = json_body(text)
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise Refused(422, 'the body must be a JSON object with a string "type"')
    data = payload.get("data", {})
    if not isinstance(data, dict):
        raise Refused(422, 'the event\'s fields ("data") must be a JSON object')
    return payload["type"], data
