"""Structured answers: asked for with a strict JSON Schema, parsed into the caller's model,
repaired once when they do not validate, refused in the model's own words."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from bot.llm.errors import ModelError, ModelRefused
from bot.llm.messages import Message, system, user
from bot.llm.models import Models
from bot.llm.settings import Feature
from bot.llm.usage import Outcome, Usage
from tests.llm.fake_openai import (
    FakeOpenAI,
    json_reply,
    malformed,
    refusal,
    text,
    truncated,
)

ASK: list[Message] = [
    system("Pick the procedure for the request."),
    user("Customer wants a refund for order 1042, it arrived broken"),
]


class Route(BaseModel):
    """Which procedure, and the inputs found in the text."""

    sop: str
    order_id: str
    confidence: float = Field(ge=0, le=1)


def test_an_answer_is_parsed_into_the_callers_model(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042", json_reply({"sop": "refund", "order_id": "1042", "confidence": 0.9})
    )
    model = models.model_for(Feature.ROUTING)
    assert model is not None

    route = model.answer(ASK, Route, record=recorded.append)

    assert route == Route(sop="refund", order_id="1042", confidence=0.9)
    sent = fake_openai.requests[0].body
    assert sent["model"] == "gpt-test"
    assert sent["messages"] == ASK
    assert sent["response_format"]["type"] == "json_schema"
    schema = sent["response_format"]["json_schema"]
    assert schema["name"] == "Route"
    assert schema["strict"] is True
    assert schema["schema"]["additionalProperties"] is False
    assert schema["schema"]["required"] == ["sop", "order_id", "confidence"]
    [usage] = recorded
    assert usage.outcome is Outcome.ANSWERED
    assert usage.feature == "routing"
    assert usage.prompt_tokens == 16  # the fake counts words
    assert usage.completion_tokens == 6
    assert usage.attempts == 1


def test_broken_json_is_repaired_once_with_the_problem_sent_back(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042",
        malformed(),
        json_reply({"sop": "refund", "order_id": "1042", "confidence": 0.8}),
        anywhere=True,
    )
    model = models.model_for(Feature.ROUTING)
    assert model is not None

    route = model.answer(ASK, Route, record=recorded.append)

    assert route.order_id == "1042"
    repair = fake_openai.requests[1].messages
    assert repair[:2] == fake_openai.requests[0].messages  # the conversation goes on
    assert repair[2] == {"role": "assistant", "content": '{"sop": "refund", "order_id": '}
    assert repair[3]["role"] == "user"
    assert "not a valid Route" in repair[3]["content"]
    assert "Invalid JSON" in repair[3]["content"]
    assert [u.outcome for u in recorded] == [Outcome.INVALID, Outcome.ANSWERED]
    assert recorded[0].error == "InvalidJSON"


def test_a_schema_violation_twice_is_a_model_error_naming_the_field(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042",
        json_reply({"sop": "refund", "order_id": "1042", "confidence": 7}),
        anywhere=True,
    )
    model = models.model_for(Feature.ROUTING)
    assert model is not None

    with pytest.raises(ModelError, match=r"not a valid Route, even after a repair try") as raised:
        model.answer(ASK, Route, record=recorded.append)

    assert "confidence: Input should be less than or equal to 1" in str(raised.value)
    assert "7" not in str(raised.value).split("confidence", 1)[1]  # the answer is not echoed
    assert len(fake_openai.requests) == 2
    assert [(u.outcome, u.error) for u in recorded] == [(Outcome.INVALID, "SchemaViolation")] * 2


def test_an_answer_cut_off_by_the_token_limit_gets_the_repair_try(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042",
        truncated(),
        json_reply({"sop": "refund", "order_id": "1042", "confidence": 1}),
        anywhere=True,
    )
    model = models.model_for(Feature.ROUTING)
    assert model is not None

    assert model.answer(ASK, Route, record=recorded.append).sop == "refund"
    repeated = fake_openai.requests[1].messages[-2]
    assert repeated == {"role": "assistant", "content": "(an answer cut off at the token limit)"}
    assert "cut off at the token limit" in fake_openai.requests[1].user_messages[-1]


def test_a_refusal_is_model_refused_with_the_models_reason(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on("order 1042", refusal("I can't assist with that request."))
    model = models.model_for(Feature.JUDGE)
    assert model is not None

    with pytest.raises(ModelRefused) as raised:
        model.answer(ASK, Route, record=recorded.append)

    assert raised.value.reason == "I can't assist with that request."
    assert str(raised.value) == "the model declined to answer (judge)"
    assert len(fake_openai.requests) == 1  # a refusal is not argued with
    assert [u.outcome for u in recorded] == [Outcome.REFUSED]


def test_a_free_text_answer_for_drafts(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on("Draft", text("Hi Ana, your refund of 640 USD is on its way."))
    model = models.model_for(Feature.DRAFT)
    assert model is not None

    draft = model.text([user("Draft the refund email")], record=recorded.append)

    assert draft == "Hi Ana, your refund of 640 USD is on its way."
    assert "response_format" not in fake_openai.requests[0].body
    assert recorded[0].answer_chars == len(draft)
