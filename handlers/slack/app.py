"""The one Bolt app: every Slack request reaches sopbot through it, over HTTP
(``handlers.http``) or Socket Mode (``handlers.slack.socket_mode``).

Bolt checks the request's signature and refuses timestamps more than five minutes old;
listeners parse, record what changes something in the durable inbox (``bot.app.inbox``)
and acknowledge. ``process_before_response=False``: Bolt answers Slack as soon as a
listener acks, and anything after the ack (opening a form) happens while Slack is already
answered.
"""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.app.door import FrontDoor
from bot.config import Settings
from bot.directory import Directory
from handlers.slack import actions, alerts, commands, home, routing, views


def build_app(
    door: FrontDoor, *, settings: Settings, client: WebClient, directory: Directory
) -> App:
    """The Bolt app on ``door``, calling Slack through ``client``.

    Without ``SLACK_SIGNING_SECRET`` no HTTP request passes verification (Socket Mode needs
    none). ``directory`` is Slack's people, for listeners that show names.
    """
    secret = settings.slack_signing_secret
    app = App(
        signing_secret=secret.get_secret_value() if secret else "",
        client=client,
        process_before_response=False,
        token_verification_enabled=False,
    )
    commands.register(app, door)
    actions.register(app, door)
    views.register(app, door)
    alerts.register(app, door)
    home.register(app, door)
    routing.register(app, door)
    return app
