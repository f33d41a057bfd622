"""``/webhooks/zendesk``: Zendesk's webhooks. ``X-Zendesk-Webhook-Signature`` is the base64
HMAC-SHA256, keyed by the webhook's signing secret, of
``X-Zendesk-Webhook-Signature-Timestamp`` (ISO 8601) followed by the body, refused when that
time is more than 5 minutes from this server's clock; a retry keeps its
``X-Zendesk-Webhook-Invocation-Id``, the dedupe key (else the body's hash).

The body is a Zendesk event (``{"type": "zen:event-type:ticket.created", "detail": …}``)
or the JSON a trigger or automation sends, which must then carry a ``"type"`` of its own.
"""

from __future__ import annotations

import base64
import datetime as dt

from handlers.webhooks.verifying import (
    Delivery,
    Refused,
    Request,
    body_hash,
    hmac_sha256,
    json_body,
    require_fresh,
    require_signature,
    required,
)

NAME = "zendesk"
SIGNATURE = "X-Zendesk-Webhook-Signature"
TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
INVOCATION = "X-Zendesk-Webhook-Invocation-Id"


def verify(request: Request) -> list[Delivery]:
    """The event, typed by the body's ``type``, with the whole body as its fields, so
    filters read ``event.detail.tags`` or a trigger's own fields."""
    stamp = required(request, TIMESTAMP)
    signed = hmac_sha256(request.secret or "", stamp.encode() + request.body)
    require_signature(request, SIGNATURE, base64.b64encode(signed).decode())
    require_fresh(_iso(stamp), request.now, TIMESTAMP)
    payload = json_body(request.body)
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise Refused(
            422,
            'the body must be a JSON object with a string "type": a Zendesk event, or a '
            'trigger\'s JSON body that names its "type"',
        )
    key = request.headers.get(INVOCATION.lower()) or body_hash(request.body)
    return [Delivery(key, payload["type"], payload)]


def _iso(stamp: str) -> dt.datetime:
    try:
        sent = dt.datetime.fromisoformat(stamp)
    except ValueError:
        raise Refused(401, f"{TIMESTAMP} is not an ISO 8601 time") from None
    return sent if sent.tzinfo else sent.replace(tzinfo=dt.UTC)
