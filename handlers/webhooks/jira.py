"""``/webhooks/jira``: Jira Cloud's webhooks. A webhook an admin registers with a secret is
signed ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`` (the WebSub format); it
carries no signed time, so a redelivery is caught by its ``X-Atlassian-Webhook-Identifier``
(kept across Jira's retries), else by the body's hash.

Without ``SOPBOT_WEBHOOK_JIRA_SECRET`` the route is closed, unless the operator opens it to
unsigned deliveries with ``SOPBOT_WEBHOOK_JIRA_UNSIGNED=allow`` (Jira Data Center, or a
webhook registered without a secret): then anyone who can reach the URL can start the
procedures that listen to Jira, which the start-up log says plainly.
"""

from __future__ import annotations

from handlers.webhooks.verifying import (
    Delivery,
    Refused,
    Request,
    body_hash,
    hmac_sha256,
    json_body,
    require_signature,
)

NAME = "jira"
SIGNATURE = "X-Hub-Signature"
IDENTIFIER = "X-Atlassian-Webhook-Identifier"


def verify(request: Request) -> list[Delivery]:
    """The event, typed by its ``webhookEvent`` (``jira:issue_created``), with Jira's body
    as its fields, so filters read ``event.issue.fields.labels``."""
    if request.secret is not None:
        expected = "sha256=" + hmac_sha256(request.secret, request.body).hex()
        require_signature(request, SIGNATURE, expected)
    payload = json_body(request.body)
    if not isinstance(payload, dict) or not isinstance(payload.get("webhookEvent"), str):
        raise Refused(
            422, 'the body must be a Jira webhook: a JSON object with a string "webhookEvent"'
        )
    key = request.headers.get(IDENTIFIER.lower()) or body_hash(request.body)
    return [Delivery(key, payload["webhookEvent"], payload)]
