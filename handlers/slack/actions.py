"""Buttons on approval, task and choice cards. Approve, an option of a choice, and Done on a
task without fields, are recorded and acknowledged; Reject and a task's Can't do open a form for the reason, Done on a task with fields a
form for them (the decision is recorded when the form is sent). A click by someone who may
not decide, or on a card already decided, is recorded like any other: the engine refuses
it, audits the refusal and the person is told why, in the channel, to them alone."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.adapters.slack.modals import question_modal, reason_modal
from bot.app import questions
from bot.app.commands.parser import Command, choose_command
from bot.app.door import FrontDoor
from bot.chat.messages import Button
from handlers.slack.requests import channel_of, record_click

log = logging.getLogger(__name__)


def register(app: App, door: FrontDoor) -> None:
    @app.action("approve")
    def approve(ack: Ack, body: dict[str, Any]) -> None:
        record_click(door, body, Command("approve", (_value(body),)), ack)

    @app.action(re.compile(r"^choose(#\d+)?$"))  # one action_id per option: choose#1, …
    def choose(ack: Ack, body: dict[str, Any]) -> None:
        record_click(door, body, choose_command(_value(body)), ack)

    @app.action("reject")
    def reject(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        approval = _value(body)
        button = Button("Reject", "reject", approval)
        _ask_why(door, body, client, ack, reason_modal(button, _about(body, approval)))

    @app.action("decline")
    def decline(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        task = _value(body)
        button = Button("Can't do", "decline", task)
        why = f"Why can't you do {_about(body, task)}? The run goes to a person with your reason."
        _ask_why(door, body, client, ack, reason_modal(button, task, why=why))

    @app.action("complete")
    def complete(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        task_id, user = _value(body), body["user"]["id"]
        task = next((item for item in door.pending(user) if item.id == task_id), None)
        if task is None or not task.fields:
            record_click(door, body, Command("complete", (task_id,)), ack)
            return
        thread = {"to": channel_of(body)} if channel_of(body) else None
        _open(client, body, question_modal(questions.for_task(task, to=user, thread=thread)), ack)


def _ask_why(
    door: FrontDoor, body: dict[str, Any], client: WebClient, ack: Ack, view: View
) -> None:
    """Open the reason form for someone who may decide; anyone else's click is recorded
    without a reason, so the engine refuses it, audits it and they are told why."""
    approval = _value(body)
    if not _is_theirs(door, body, approval):
        action = body["actions"][0]["action_id"]
        record_click(door, body, Command(action, (approval,)), ack)
        return
    _open(client, body, _with_channel(view, channel_of(body)), ack)


def _open(client: WebClient, body: dict[str, Any], view: View, ack: Ack) -> None:
    """Acknowledge, then open ``view`` with the click's trigger (valid for three seconds)."""
    ack()
    try:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    except Exception:  # the ack is sent; a failure here must not undo it
        log.exception("a form for %s did not open", _value(body))


def _is_theirs(door: FrontDoor, body: dict[str, Any], approval: str) -> bool:
    """Whether the approval is open and the clicker may decide it (a lock-free read)."""
    return any(item.id == approval for item in door.pending(body["user"]["id"]))


def _with_channel(view: View, channel: str | None) -> View:
    """The reason form, remembering where the card was, so the answer goes there."""
    view.private_metadata = json.dumps(
        {**json.loads(view.private_metadata or "{}"), "channel": channel}
    )
    return view


def _about(body: dict[str, Any], approval: str) -> str:
    """The card's own words for what is rejected, else the approval's id."""
    text = str((body.get("message") or {}).get("text") or "").strip()
    return f"“{text}”" if text else approval


def _value(body: dict[str, Any]) -> str:
    return str(body["actions"][0]["value"])
