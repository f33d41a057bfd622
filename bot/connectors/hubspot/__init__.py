"""The live CRM on HubSpot: ``SOPBOT_CONNECTOR_CRM=bot.connectors.hubspot:connect`` performs
``crm.*`` through HubSpot's CRM APIs, configured by the ``SOPBOT_HUBSPOT_*`` settings and
the mapping file (docs/connecting-tools.md, "CRM: HubSpot")."""

from __future__ import annotations

from bot.catalogue.operation import ConnectorServices
from bot.connectors.hubspot.api import HubSpotApi
from bot.connectors.hubspot.connector import HubSpotConnector
from bot.connectors.hubspot.mapping import load_mapping
from bot.connectors.hubspot.settings import load_hubspot_settings


def connect(services: ConnectorServices) -> HubSpotConnector:
    """The connector the operator's settings describe; a setting or mapping that cannot be
    used stops the start in one line naming it."""
    settings = load_hubspot_settings()
    mapping = load_mapping(settings.mapping)
    api = HubSpotApi(settings.token, settings.api_url, settings.timeout)
    return HubSpotConnector(api, mapping, now=services.now)


__all__ = ["HubSpotConnector", "connect"]
