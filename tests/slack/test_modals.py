"""Questions as Slack modals, opened through the real WebClient, and their answers read
back from a submission shaped as Slack sends it."""

from __future__ import annotations

import pytest

from bot.adapters.slack.chat import Undeliverable
from bot.adapters.slack.modals import (
    QUESTION_CALLBACK,
    QuestionTooLarge,
    answered_question,
    given_reason,
    question_modal,
    reason_modal,
)
from bot.chat.messages import Button, Question, QuestionField
from tests.slack.conftest import MakeChat
from tests.slack.fake_web_api import FakeSlack

KINDS = {
    "note": ("text", "plain_text_input"),
    "amount": ("number", "number_input"),
    "count": ("integer", "number_input"),
    "when": ("date", "datepicker"),
    "at": ("datetime", "datetimepicker"),
    "size": ("choice", "static_select"),
    "owner": ("user", "users_select"),
    "where": ("channel", "conversations_select"),
    "email": ("email", "email_text_input"),
}
QUESTION = Question(
    to="U02DEV",
    title="Refund a customer order",
    fields=tuple(
        QuestionField(
            name=name,
            label=name.title(),
            kind=kind,
            choices=("S", "M") if kind == "choice" else (),
            required=name != "note",
        )
        for name, (kind, _) in KINDS.items()
    ),
    action="run",
    subject="refund",
    carry={"given": {"order_id": "1042"}, "mode": "shadow"},
    thread={"to": "C02SUPPORT", "trigger_id": "1337.42.abcd"},
)


def test_each_input_type_gets_its_slack_widget_in_a_modal_opened_with_the_trigger(
    slack: FakeSlack, make_chat: MakeChat
) -> None:
    chat = make_chat()
    chat.ask(QUESTION)
    (opened,) = slack.calls_to("views.open")
    assert opened.args["trigger_id"] == "1337.42.abcd"
    view = opened.args["view"]
    assert view["callback_id"] == QUESTION_CALLBACK
    assert view["submit"]["text"] == "Start"
    widgets = {block["block_id"]: block["element"]["type"] for block in view["blocks"]}
    assert widgets == {name: widget for name, (_, widget) in KINDS.items()}
    amount = next(b for b in view["blocks"] if b["block_id"] == "amount")["element"]
    assert amount["is_decimal_allowed"] is True
    assert next(b for b in view["blocks"] if b["block_id"] == "note")["optional"] is True


def test_a_submitted_modal_gives_back_the_question_and_its_answers() -> None:
    view = question_modal(QUESTION).to_dict()
    view["state"] = {
        "values": {
            "note": {"note": {"type": "plain_text_input", "value": None}},
            "amount": {"amount": {"type": "number_input", "value": "640.5"}},
            "count": {"count": {"type": "number_input", "value": "2"}},
            "when": {"when": {"type": "datepicker", "selected_date": "2026-12-24"}},
            "at": {"at": {"type": "datetimepicker", "selected_date_time": 1798099200}},
            "size": {"size": {"type": "static_select", "selected_option": {"value": "M"}}},
            "owner": {"owner": {"type": "users_select", "selected_user": "U03SAM"}},
            "where": {"where": {"type": "conversations_select", "selected_conversation": "C03OPS"}},
            "email": {"email": {"type": "email_text_input", "value": "a@b.example"}},
        }
    }
    question, answers = answered_question(view)
    assert (question.to, question.action, question.subject) == ("U02DEV", "run", "refund")
    assert question.carry == QUESTION.carry
    assert question.thread == QUESTION.thread
    assert answers == {
        "note": "",
        "amount": "640.5",
        "count": "2",
        "when": "2026-12-24",
        "at": "2026-12-24T08:00:00+00:00",
        "size": "M",
        "owner": "U03SAM",
        "where": "C03OPS",
        "email": "a@b.example",
    }


def test_answers_given_already_too_large_for_slack_are_refused_when_asked() -> None:
    big = Question(
        to="U02DEV",
        title="Refund",
        fields=(QuestionField(name="reason", label="Reason"),),
        action="run",
        subject="refund",
        carry={"given": {"notes": "x" * 3000}},
    )
    with pytest.raises(QuestionTooLarge, match="a Slack form carries 3000"):
        question_modal(big)


def test_a_question_without_a_trigger_cannot_open_a_modal(
    slack: FakeSlack, make_chat: MakeChat
) -> None:
    chat = make_chat()
    with pytest.raises(Undeliverable, match="opens only from a click or a command"):
        chat.ask(Question(to="U02DEV", title="Refund", fields=(), action="run", subject="refund"))
    assert slack.calls_to("views.open") == []


def test_reject_asks_for_a_reason_and_gives_back_the_approval_it_was_for() -> None:
    view = reason_modal(
        Button("Reject", "reject", "a-4197368da9", "danger"), "the refund"
    ).to_dict()
    assert view["blocks"][0]["element"]["multiline"] is True
    view["state"] = {
        "values": {"reason": {"reason": {"type": "plain_text_input", "value": " dup "}}}
    }
    button, reason = given_reason(view)
    assert (button.action, button.value, reason) == ("reject", "a-4197368da9", "dup")
