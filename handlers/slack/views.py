"""Forms sent back: a question's answers (missing inputs of a run, a task's fields) and a
rejection's reason. Values are checked while Slack waits, with the engine's own input
rules: a wrong one is shown in the form beside its field and nothing is recorded; a good
form is recorded in the inbox and closes."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App

from bot.adapters.slack.modals import (
    QUESTION_CALLBACK,
    REASON,
    REASON_CALLBACK,
    answered_question,
    given_reason,
)
from bot.app.commands.parser import Command
from bot.app.door import FrontDoor
from bot.app.inbox import answer_work, command_work
from bot.chat.messages import Question
from bot.engine.inputs import coerce
from bot.library import UnknownProcedure
from bot.procedure.inputs import InputSpec
from handlers.slack.requests import NotRecorded, record

REQUIRED = "This one is needed."
NO_REASON = "Say why, so the requester can act on it."
ALREADY = (
    "This button already started your run (one run per button and person). /sop history shows it."
)
"""What a person pressing a Start again is told: their press was not lost."""


def register(app: App, door: FrontDoor) -> None:
    @app.view(QUESTION_CALLBACK)
    def answered(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        question, answers = answered_question(view)
        errors = _problems(door, question, answers)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        channel = (question.thread or {}).get("to")
        user = body["user"]["id"]
        work = answer_work(question, answers, by=user, channel=channel)
        click = question.carry.get("request")  # a click's form is that click: one run
        _record_and_close(door, click or _key(view), work, view, ack, told=bool(click))

    @app.view(REASON_CALLBACK)
    def rejected(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        button, reason = given_reason(view)
        if not reason:
            ack(response_action="errors", errors={REASON: NO_REASON})
            return
        channel = json.loads(view["private_metadata"]).get("channel")
        command = Command(button.action, (button.value, reason))  # reject, or decline
        work = command_work(command, by=body["user"]["id"], channel=channel)
        _record_and_close(door, _key(view), work, view, ack)


def _record_and_close(
    door: FrontDoor,
    key: str,
    work: dict[str, Any],
    view: dict[str, Any],
    ack: Ack,
    *,
    told: bool = False,
) -> None:
    """Record the submission and close the form; if it cannot be recorded the form stays
    open with the apology on its first field, so nothing typed is lost. A Start's form
    (``told``) sent again by its person starts nothing: the form says their run exists."""
    try:
        fresh = record(door, key, work)
    except NotRecorded as sorry:
        first = next(iter(view.get("state", {}).get("values", {})), None)
        if first is not None:
            ack(response_action="errors", errors={first: str(sorry)})
            return
        fresh = True
    if told and not fresh:
        ack(response_action="update", view=_note(view, ALREADY))
        return
    ack()


def _note(view: dict[str, Any], text: str) -> dict[str, Any]:
    """The form replaced by ``text`` and a Close button, under the form's own title."""
    return {
        "type": "modal",
        "title": view.get("title") or {"type": "plain_text", "text": "sopbot"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def _key(view: dict[str, Any]) -> str:
    """A submitted view is unique by its id and the hash of the state it was sent in."""
    return f"view:{view['id']}:{view.get('hash', '')}"


def _problems(door: FrontDoor, question: Question, answers: dict[str, str]) -> dict[str, str]:
    """Per field (its block id), what is wrong with the answer, in the engine's words."""
    specs = _specs(door, question)
    errors: dict[str, str] = {}
    for field in question.fields:
        value = answers.get(field.name, "")
        spec = specs.get(field.name)
        if not value:
            if field.required:
                errors[field.name] = REQUIRED
            continue
        if spec is None:
            continue
        try:
            coerce(value, spec)
        except ValueError as error:
            errors[field.name] = str(error)
    return errors


def _specs(door: FrontDoor, question: Question) -> dict[str, InputSpec]:
    """The declared types the answers must fit: the procedure's inputs for a run, the task's
    fields for a task (none when it is gone: the engine then says why)."""
    if question.action == "run":
        try:
            return dict(door.library.find(question.subject).procedure.inputs)
        except UnknownProcedure:
            return {}
    task = next((item for item in door.pending() if item.id == question.subject), None)
    return dict(task.fields) if task is not None else {}
