"""A service that answers, but not with a chat completion sopbot can use (broken, compressed,
streamed unasked, nested without end, or slow on its error path): every such answer ends in
a ``ModelError`` the caller's offline path takes, within the time and memory it is given,
and never in an exception the caller does not expect."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from typing import Any

import pytest

from bot.llm.errors import ModelError, ModelUnavailable
from bot.llm.models import Models
from bot.llm.usage import Outcome, Usage
from tests.llm.fake_openai import FakeOpenAI, drip, raw, text
from tests.llm.invoice import ASK, Paid, judge


def completion(message: Any, **more: Any) -> str:
    """A chat.completion around ``message`` as its first choice."""
    choice = {"index": 0, "message": message, "finish_reason": "stop"}
    return json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "choices": [choice]} | more)


ANSWER = {"role": "assistant", "content": '{"paid": true}'}

NOT_COMPLETIONS = {
    "an array": "[]",
    "choices that are text": json.dumps({"choices": "none"}),
    "a choice that is text": json.dumps({"choices": ["none"]}),
    "content that is a number": completion({"role": "assistant", "content": 5}),
    "a message that is a list": completion([ANSWER]),
    "a tool named by a list": completion(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": ["a"], "arguments": "{}"}}
            ],
        }
    ),
    "an event stream nobody asked for": "data: " + completion(ANSWER) + "\n\ndata: [DONE]\n\n",
    "JSON nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("body", NOT_COMPLETIONS.values(), ids=NOT_COMPLETIONS.keys())
def test_an_answer_that_is_no_chat_completion_is_a_model_error(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage], body: str
) -> None:
    fake_openai.on("INV-2002", raw(body))

    with pytest.raises(ModelUnavailable, match=r"answered with something that is not a chat"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert len(fake_openai.requests) == 1  # asking again cannot help
    [usage] = recorded
    assert usage.outcome is Outcome.UNAVAILABLE


def test_a_choice_without_a_message_is_no_answer(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on("INV-2002", raw(json.dumps({"choices": [{}]})))

    with pytest.raises(ModelError, match=r"answered with no message"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert recorded[0].error == "NoChoices"


def test_token_counts_that_are_not_counts_are_not_recorded(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    # The audit record keeps sizes and counts only: a megabyte of "count" is not one.
    counts = {"prompt_tokens": "9" * 1_000_000, "completion_tokens": -5, "total_tokens": True}
    fake_openai.on("INV-2002", raw(completion(ANSWER, usage=counts)))

    assert judge(models).answer(ASK, Paid, record=recorded.append) == Paid(paid=True)

    [usage] = recorded
    assert (usage.prompt_tokens, usage.completion_tokens) == (None, None)


def test_usage_that_is_not_an_object_does_not_lose_the_answer(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on("INV-2002", raw(completion(ANSWER, usage="lots")))

    assert judge(models).answer(ASK, Paid, record=recorded.append) == Paid(paid=True)
    assert recorded[0].prompt_tokens is None


def test_a_packed_answer_is_not_unpacked_at_all(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    # Answers are asked for unpacked; one packed chunk of a bomb may unpack to gigabytes
    # before any cap sees it, so a packed answer is not read.
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 128 * 1024
    fake_openai.on("INV-2002", raw(bomb, Content_Encoding="gzip"))

    with pytest.raises(ModelError, match=r"not a chat completion"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert recorded[0].outcome is Outcome.UNAVAILABLE


def test_a_structured_answer_nested_without_end_is_refused_as_invalid(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on("INV-2002", text("[" * 100_000 + "]" * 100_000), anywhere=True)

    with pytest.raises(ModelError, match=r"not a valid Paid, even after a repair try"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert [usage.error for usage in recorded] == ["InvalidJSON", "InvalidJSON"]


def test_an_error_that_drips_its_body_is_cut_off_when_the_timeout_is_up(
    fake_openai: FakeOpenAI, recorded: list[Usage]
) -> None:
    # The client reads an error's body whole before sopbot sees the error: at a byte every
    # 50 ms, that held the call for as long as the server liked.
    fake_openai.on("INV-2002", drip("overloaded " * 40, status=503))
    models = Models.configured(fake_openai.settings(timeout=0.5, max_retries=0))

    with pytest.raises(ModelUnavailable, match=r"did not answer within 0.5 s \(1 try\)"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert fake_openai.drip_ended.wait(timeout=10), "the client never hung up"
    [sent] = fake_openai.dripped
    assert sent < 100  # of an error of about 500 bytes


def test_an_error_sent_as_a_gzip_bomb_is_not_unpacked(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    # The client unpacks an error's body whole before sopbot sees the error.
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
    fake_openai.on("INV-2002", raw(bomb, status=400, Content_Encoding="gzip"))
    tracemalloc.start()
    try:
        with pytest.raises(ModelUnavailable, match=r"refused the request \(400\)"):
            judge(models).answer(ASK, Paid, record=recorded.append)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 16 * 1024 * 1024


def test_answers_are_asked_for_unpacked(fake_openai: FakeOpenAI, models: Models) -> None:
    fake_openai.on("INV-2002", text('{"paid": true}'))

    judge(models).answer(ASK, Paid, record=lambda usage: None)

    assert fake_openai.requests[0].headers["Accept-Encoding"] == "identity"


def test_an_error_page_of_a_megabyte_is_read_as_its_status(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage]
) -> None:
    # Only its first 64 KiB are read; the status says what happened and it is retried.
    page = "<html>" + "Service Unavailable " * 50_000 + "</html>"
    fake_openai.on("INV-2002", raw(page, status=503, Content_Type="text/html"))
    models = Models.configured(fake_openai.settings(max_retries=1), sleep=pauses.append)

    with pytest.raises(ModelUnavailable, match=r"failed \(503, 2 tries\)"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert recorded[0].outcome is Outcome.UNAVAILABLE
