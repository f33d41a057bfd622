"""The live Jira connector: ``SOPBOT_CONNECTOR_JIRA=bot.connectors.jira:connect`` performs the
``jira.*`` operations against Jira Cloud or Server/Data Center, configured by the
``SOPBOT_JIRA_*`` settings (docs/connecting-tools.md, "Jira")."""

from __future__ import annotations

from bot.catalogue.operation import ConnectorServices
from bot.connectors.jira.connector import JiraConnector, open_client
from bot.connectors.jira.settings import JiraConfig, JiraSettings, JiraSettingsProblem

__all__ = ["JiraConfig", "JiraConnector", "JiraSettings", "JiraSettingsProblem", "connect"]


def connect(services: ConnectorServices) -> JiraConnector:
    """The connector the ``SOPBOT_JIRA_*`` settings of this process describe; a setting that
    cannot be used stops the start, naming it. Nothing is sent to Jira until a call."""
    config = JiraConfig.from_environment()
    return JiraConnector(config, open_client(config), now=services.now)
