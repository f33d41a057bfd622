"""The live Slack actions: with Slack connected (``SLACK_BOT_TOKEN``), ``slack.post``,
``slack.dm``, ``slack.create_channel`` and ``slack.invite`` act in the workspace through
the surface's own client, unless ``SOPBOT_CONNECTOR_SLACK=sandbox`` (docs/slack.md, "Slack
actions")."""

from __future__ import annotations

from bot.catalogue.operation import ConnectorFactory, ConnectorServices
from bot.connectors.slack.connector import SlackConnector
from bot.connectors.slack.workspace import (
    Conversation,
    Identity,
    OffersWorkspace,
    SlackFault,
    Workspace,
)

__all__ = [
    "NAMESPACE",
    "Conversation",
    "Identity",
    "OffersWorkspace",
    "SlackConnector",
    "SlackFault",
    "Workspace",
    "live_on",
]

NAMESPACE = "slack"


def live_on(chat: object) -> ConnectorFactory | None:
    """The factory of the live connector on ``chat``'s own Slack client; None for a chat
    that is not Slack (the console, a recording), which keeps the sandbox."""
    if not isinstance(chat, OffersWorkspace):
        return None
    workspace = chat.slack_workspace()

    def connect(_services: ConnectorServices) -> SlackConnector:
        return SlackConnector(workspace)

    return connect
