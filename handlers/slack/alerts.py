"""Buttons on SLA alert cards. Acknowledge and Take over change something, so they are
recorded in the durable inbox (under Slack's ids for the click) and acknowledged; the
worker does them and tells the person. Open run only reads: it answers at once, to the
person alone, with where the run stands (a reader of this workspace only, as ``/sop status``)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app.commands import replies
from bot.app.commands.alerts import alert_command
from bot.app.door import FrontDoor
from bot.chat.messages import Button
from bot.engine.alert_cards import ACKNOWLEDGE, OPEN_RUN, TAKE_OVER
from bot.engine.errors import EngineError
from handlers.slack.requests import channel_of, record_click, tell_alone


def register(app: App, door: FrontDoor) -> None:
    @app.action(ACKNOWLEDGE)
    @app.action(TAKE_OVER)
    def respond(ack: Ack, body: dict[str, Any]) -> None:
        record_click(door, body, alert_command(_button(body)), ack)

    @app.action(OPEN_RUN)
    def open_run(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        run_id, user = _button(body).value, body["user"]["id"]
        try:  # a guest of another organisation in a shared channel is told why not
            door.check_reader(user, "status")
            text = replies.run_status(door.run(run_id), door.now())
        except EngineError as error:
            text = str(error)
        tell_alone(client, user, channel_of(body), text)


def _button(body: dict[str, Any]) -> Button:
    action = body["actions"][0]
    return Button(label="", action=str(action["action_id"]), value=str(action["value"]))
