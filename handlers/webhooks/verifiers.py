"""Which verifier a webhook gets, by its name: Jira, HubSpot and Zendesk are verified the way
their vendor signs; every other name is a Standard Webhooks sender. (No HTTP server here, so
``sopbot doctor`` reads it without importing one.)"""

from __future__ import annotations

from collections.abc import Callable

from handlers.webhooks import hubspot, jira, standard, zendesk
from handlers.webhooks.verifying import Delivery, Request

Verifier = Callable[[Request], list[Delivery]]
VENDORS: dict[str, Verifier] = {
    jira.NAME: jira.verify,
    hubspot.NAME: hubspot.verify,
    zendesk.NAME: zendesk.verify,
}
"""The webhooks verified the way their vendor signs, by name."""


def verifier_for(name: str) -> Verifier:
    """The verifier of the webhook ``name``."""
    return VENDORS.get(name, standard.verify)
