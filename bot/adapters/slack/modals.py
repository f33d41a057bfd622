"""Modals: a ``Question`` as a ``views.open`` form, the reason a Reject asks for, and the
way back from a submitted view to what the front door takes.

Everything the answer needs that is not typed into the form (who was asked, what to do,
the inputs given already) rides in the view's ``private_metadata`` as JSON; Slack keeps at
most 3,000 characters there, so a larger question is refused when it is built, not lost.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ConversationSelectElement,
    DatePickerElement,
    DateTimePickerElement,
    EmailInputElement,
    InputBlock,
    InputInteractiveElement,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UrlInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.adapters.slack.text import cut
from bot.chat.messages import Button, Question, QuestionField

QUESTION_CALLBACK = "sopbot_question"
REASON_CALLBACK = "sopbot_reason"
"""The ``callback_id`` of each modal, for the listener of its ``view_submission``."""

METADATA_LIMIT = 3000
TITLE_TEXT = 24
LABEL_TEXT = 2000
MODAL_BLOCKS = 100
REASON = "reason"


class QuestionTooLarge(ValueError):
    """A question Slack cannot carry in one modal."""


def question_modal(question: Question) -> View:
    """``question`` as a modal: one input per field, the widget chosen by its type."""
    if len(question.fields) > MODAL_BLOCKS:
        raise QuestionTooLarge(
            f"{question.title!r} asks {len(question.fields)} questions; a Slack form holds "
            f"{MODAL_BLOCKS}: give some of them on the command line"
        )
    metadata = json.dumps(
        {
            "to": question.to,
            "title": question.title,
            "action": question.action,
            "subject": question.subject,
            "carry": question.carry,
            "thread": question.thread,
        },
        separators=(",", ":"),
    )
    if len(metadata) > METADATA_LIMIT:
        raise QuestionTooLarge(
            f"the answers given so far to {question.title!r} take {len(metadata)} characters; "
            f"a Slack form carries {METADATA_LIMIT}: give shorter values, or all of them "
            "on the command line"
        )
    blocks: list[Block] = [_input(field) for field in question.fields]
    return View(
        type="modal",
        callback_id=QUESTION_CALLBACK,
        title=cut(question.title, TITLE_TEXT)[0],
        submit="Start" if question.action == "run" else "Done",
        close="Cancel",
        blocks=blocks,
        private_metadata=metadata,
    )


def reason_modal(button: Button, about: str, *, why: str | None = None) -> View:
    """The form a Reject (or a task's Can't do) opens: why, before the decision is made;
    titled with the button's label, asking ``why`` (default: why reject ``about``)."""
    return View(
        type="modal",
        callback_id=REASON_CALLBACK,
        title=cut(button.label, TITLE_TEXT)[0],
        submit=cut(button.label, TITLE_TEXT)[0],
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=REASON,
                label=cut(why or f"Why reject {about}?", LABEL_TEXT)[0],
                element=PlainTextInputElement(action_id=REASON, multiline=True, max_length=2000),
            )
        ],
        private_metadata=json.dumps({"action": button.action, "value": button.value}),
    )


def answered_question(view: dict[str, Any]) -> tuple[Question, dict[str, str]]:
    """The question a submitted ``question_modal`` asked, and its answers as text (a field
    left empty answers ``""``)."""
    meta = json.loads(view["private_metadata"])
    inputs = [block for block in view["blocks"] if block["type"] == "input"]
    question = Question(
        to=meta["to"],
        title=meta["title"],
        fields=tuple(
            QuestionField(
                name=block["block_id"],
                label=block["label"]["text"],
                required=not block.get("optional", False),
            )
            for block in inputs
        ),
        action=meta["action"],
        subject=meta["subject"],
        carry=meta["carry"],
        thread=meta["thread"],
    )
    values = view["state"]["values"]
    answers = {
        block["block_id"]: _answer(values.get(block["block_id"], {}).get(block["block_id"], {}))
        for block in inputs
    }
    return question, answers


def given_reason(view: dict[str, Any]) -> tuple[Button, str]:
    """The button a submitted ``reason_modal`` stands for, and the reason typed."""
    meta = json.loads(view["private_metadata"])
    reason = view["state"]["values"][REASON][REASON].get("value") or ""
    return Button(label="Reject", action=meta["action"], value=meta["value"]), reason.strip()


def _input(field: QuestionField) -> InputBlock:
    return InputBlock(
        block_id=field.name,
        label=cut(field.label, LABEL_TEXT)[0],
        element=_widget(field),
        optional=not field.required,
    )


def _widget(field: QuestionField) -> InputInteractiveElement:
    """The input Slack shows for a field's type; plain text for any it has no widget for."""
    name = field.name
    if field.kind in ("integer", "number"):
        return NumberInputElement(action_id=name, is_decimal_allowed=field.kind == "number")
    if field.kind == "date":
        return DatePickerElement(action_id=name)
    if field.kind == "datetime":
        return DateTimePickerElement(action_id=name)
    if field.kind == "user":
        return UserSelectElement(action_id=name)
    if field.kind == "channel":
        return ConversationSelectElement(action_id=name)
    if field.kind == "email":
        return EmailInputElement(action_id=name)
    if field.kind == "url":
        return UrlInputElement(action_id=name)
    choices = field.choices or (("true", "false") if field.kind == "boolean" else ())
    if choices:
        return StaticSelectElement(
            action_id=name, options=[Option(value=choice, label=choice) for choice in choices]
        )
    return PlainTextInputElement(action_id=name, multiline=field.kind in _MULTILINE)


_MULTILINE = frozenset(("text", "list", "object"))
"""Kinds typed in a text box of several lines: a list one item a line, an object as JSON."""


def _answer(state: dict[str, Any]) -> str:
    """One input's state as text, whichever widget gave it (Slack's keys per type)."""
    if state.get("selected_option"):
        return str(state["selected_option"]["value"])
    if state.get("selected_date_time") is not None:
        moment = dt.datetime.fromtimestamp(int(state["selected_date_time"]), tz=dt.UTC)
        return moment.isoformat()
    for key in ("selected_date", "selected_user", "selected_conversation", "value"):
        if state.get(key):
            return str(state[key])
    return ""
