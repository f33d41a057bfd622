"""The live HTTP connector: ``SOPBOT_CONNECTOR_HTTP=bot.connectors.http:connect`` performs
``http.request`` against the bases of ``SOPBOT_HTTP_ALLOW`` only (docs/connecting-tools.md,
"HTTP requests")."""

from __future__ import annotations

from bot.catalogue.operation import ConnectorServices
from bot.config import load_settings
from bot.connectors.http.allowlist import Allowlist
from bot.connectors.http.connector import HttpConnector


def connect(services: ConnectorServices) -> HttpConnector:
    """The connector the operator's ``SOPBOT_HTTP_*`` settings describe; a setting that
    cannot be used stops the start, naming it."""
    settings = load_settings()
    allowlist = Allowlist.configured(settings.http_allow, settings.http_auth, services.secrets)
    return HttpConnector(
        allowlist,
        timeout=settings.http_timeout,
        max_bytes=settings.http_max_bytes,
        now=services.now,
    )
