"""``/webhooks/hubspot``: a HubSpot app's webhooks, signed with signature v3:
``X-HubSpot-Signature-v3`` is the base64 HMAC-SHA256, keyed by the app's client secret, of
method + the URL HubSpot posted to + body + ``X-HubSpot-Request-Timestamp`` (milliseconds),
refused when that time is more than 5 minutes from this server's clock.

The URL is the public one, as HubSpot saw it: the receiver builds it from
``SOPBOT_PUBLIC_URL`` (or, unset, the ``Host`` and ``X-Forwarded-*`` headers), and it is
compared with the characters HubSpot decodes before signing decoded too.

One delivery is a JSON array of events; each is recorded and deduplicated on its own.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

from handlers.webhooks.verifying import (
    Delivery,
    Refused,
    Request,
    hmac_sha256,
    json_body,
    require_fresh,
    require_signature,
    required,
)

NAME = "hubspot"
SIGNATURE = "X-HubSpot-Signature-v3"
TIMESTAMP = "X-HubSpot-Request-Timestamp"
_DECODED = re.compile(r"%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)", re.IGNORECASE)
"""The escapes HubSpot's request validation decodes in the URI before signing it."""


def verify(request: Request) -> list[Delivery]:
    """Every event of the batch, typed by its ``subscriptionType``
    (``ticket.propertyChange``), with the event's own fields (``objectId``,
    ``propertyName``, ``propertyValue`` …)."""
    stamp = required(request, TIMESTAMP)
    uri = _DECODED.sub(lambda escape: chr(int(escape[1], 16)), request.uri)
    message = request.method.encode() + uri.encode() + request.body + stamp.encode()
    expected = base64.b64encode(hmac_sha256(request.secret or "", message)).decode()
    require_signature(request, SIGNATURE, expected)
    require_fresh(_milliseconds(stamp), request.now, TIMESTAMP)
    events = json_body(request.body)
    if not isinstance(events, list) or not events:
        raise Refused(422, "the body must be HubSpot's JSON array of events, with one at least")
    return [_delivery(event) for event in events]


def _milliseconds(stamp: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(stamp) / 1000, dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise Refused(401, f"{TIMESTAMP} is not a Unix time in milliseconds") from None


def _delivery(event: Any) -> Delivery:
    """One event; its key adds the portal, subscription and time to ``eventId``, which
    HubSpot does not promise is unique, and leaves out ``attemptNumber``, which a retry
    changes."""
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("eventId"), int | str)
        or not isinstance(event.get("subscriptionType"), str)
    ):
        raise Refused(
            422, 'each HubSpot event must be an object with an "eventId" and a "subscriptionType"'
        )
    key = ":".join(
        str(event.get(field, "")) for field in ("portalId", "subscriptionId", "occurredAt")
    )
    return Delivery(f"{key}:{event['eventId']}", event["subscriptionType"], event)
