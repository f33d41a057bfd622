"""``/sop``: reads are answered in the acknowledgement itself; ``run``, ``cancel`` and a
``mode`` change (and the typed ``approve``, ``reject``, ``complete``) are recorded in the
inbox and acknowledged with a short line; a ``run`` missing required inputs opens a form
at once (its ``trigger_id`` lasts three seconds) and starts nothing until the form is sent.

The text is read as the person typed it: Slack sends ``&``, ``<`` and ``>`` in a command's
text as entities even with the manifest's ``should_escape: false`` (which only keeps names
from becoming IDs), so it is decoded as a mention's words are (``text.as_written``)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.adapters.slack.modals import QuestionTooLarge, question_modal
from bot.app import questions
from bot.app.commands.parser import Command, UsageError, is_read, parse
from bot.app.commands.service import CommandService
from bot.app.door import FrontDoor
from bot.app.inbox import command_work
from bot.chat.messages import Question
from bot.engine.errors import EngineError, InvalidInputs, MissingInputs
from bot.engine.inputs import resolve_inputs
from bot.library import UnknownProcedure
from handlers.slack.requests import NotRecorded, record
from handlers.slack.text import as_written

log = logging.getLogger(__name__)

DOING = {
    "run": "starting {0}",
    "cancel": "cancelling run {0}",
    "approve": "approving {0}",
    "reject": "rejecting {0}",
    "complete": "completing task {0}",
    "mode": "setting {0} to {1} mode",
    "route": "finding the procedure for that",
}
"""What the acknowledgement says is under way, per verb that changes something."""


def register(app: App, door: FrontDoor) -> None:
    service = CommandService(door)

    @app.command("/sop")
    def sop(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        user, channel = command["user_id"], command.get("channel_id")
        try:
            parsed = parse(as_written(command.get("text", "")))
        except UsageError as error:
            ack(response_type="ephemeral", text=str(error))
            return
        if parsed.verb == "help" or is_read(parsed):  # changes nothing: answered at once
            ack(response_type="ephemeral", text=service.execute(parsed, user).text)
            return
        try:
            question = unanswered(door, parsed, user, channel)
        except (EngineError, UnknownProcedure, QuestionTooLarge) as error:
            ack(response_type="ephemeral", text=str(error))
            return
        if question is not None:
            view = question_modal(question)
            ack(response_type="ephemeral", text=f"A form for {question.title} is opening.")
            try:
                client.views_open(trigger_id=command["trigger_id"], view=view)
            except Exception:  # the ack is sent; a failure here must not undo it
                log.exception("the form for %s did not open", question.subject)
            return
        try:
            record(
                door,
                f"command:{command['trigger_id']}",
                command_work(parsed, by=user, channel=channel),
            )
        except NotRecorded as sorry:
            ack(response_type="ephemeral", text=str(sorry))
            return
        doing = DOING.get(parsed.verb, parsed.verb).format(*parsed.args)
        ack(response_type="ephemeral", text=f"On it: {doing}. I'll tell you here when it's done.")


def unanswered(
    door: FrontDoor,
    command: Command,
    user: str,
    channel: str | None,
    *,
    request: str | None = None,
) -> Question | None:
    """For a ``run`` whose required inputs are not all given, the form that asks for them;
    None when nothing is missing. Inputs given but wrong are left to the start itself,
    which says what is wrong with the procedure's usage line. ``request`` names the click
    the form is for: every form it opens, sent, is that one request (one run)."""
    if command.verb != "run":
        return None
    procedure = door.library.find(command.args[0]).procedure
    mode = next(
        (word.removeprefix("--mode=") for word in command.args[1:] if word.startswith("--mode=")),
        None,
    )
    try:
        resolve_inputs(procedure, command.options, {}, interactive=True)
    except MissingInputs as missing:
        question = questions.for_inputs(
            procedure,
            missing.missing,
            to=user,
            given=command.options,
            mode=mode,
            thread={"to": channel} if channel else None,
        )
        return (
            question
            if request is None
            else replace(question, carry={**question.carry, "request": request})
        )
    except InvalidInputs:
        return None
    return None
