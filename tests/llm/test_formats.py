"""The three ways of asking for an answer in a shape (``SOPBOT_LLM_RESPONSE_FORMAT``), for
servers that take a JSON-schema response format, only a JSON object, or nothing; and the
answers smaller models write that are JSON all the same."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from bot.llm.errors import ModelError
from bot.llm.messages import Message, system, user
from bot.llm.models import Model, Models
from bot.llm.settings import Feature
from bot.llm.usage import Usage
from tests.llm.fake_openai import FakeOpenAI, json_reply, text


class Paid(BaseModel):
    paid: bool
    note: str


ASKED: list[Message] = [system("You check invoices."), user("Is the invoice INV-2002 paid?")]
SCHEMA_LINE = "Answer with only one JSON object, no other text, that matches this JSON Schema:"


def judge(fake: FakeOpenAI, pauses: list[float], **settings: str) -> Model:
    model = Models.configured(fake.settings(**settings), sleep=pauses.append).model_for(
        Feature.JUDGE
    )
    assert model is not None
    return model


def test_llama_cpp_pythons_server_is_asked_for_a_json_object_with_the_schema_beside_it(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage]
) -> None:
    fake_openai.takes_json_schema = False
    fake_openai.on("INV-2002", json_reply({"paid": True, "note": "settled 2 May"}))
    model = judge(fake_openai, pauses, response_format="json_object")

    assert model.answer(ASKED, Paid, record=recorded.append) == Paid(
        paid=True, note="settled 2 May"
    )

    sent = fake_openai.requests[0].body
    assert sent["response_format"]["type"] == "json_object"
    assert sent["response_format"]["schema"]["required"] == ["paid", "note"]
    [instructions, asked] = sent["messages"]  # the schema joins the one system message
    assert instructions["content"].startswith("You check invoices.\n\n" + SCHEMA_LINE)
    assert json.loads(instructions["content"].split("\n")[-1])["properties"]["paid"]
    assert asked == ASKED[1]


def test_a_server_that_constrains_nothing_gets_the_schema_in_the_instructions_only(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage]
) -> None:
    fake_openai.on("INV-2002", json_reply({"paid": False, "note": "open"}))
    model = judge(fake_openai, pauses, response_format="prompt")

    answer = model.answer([user("Is the invoice INV-2002 paid?")], Paid, record=recorded.append)

    assert answer == Paid(paid=False, note="open")
    sent = fake_openai.requests[0].body
    assert "response_format" not in sent
    opened = sent["messages"][0]  # no system message was given: one is opened
    assert opened["role"] == "system"
    assert opened["content"].startswith(SCHEMA_LINE)


@pytest.mark.parametrize(
    "written",
    [
        '```json\n{"paid": true, "note": "two\nlines"}\n```',
        '{"paid": true, "note": "two\nlines"}',
        '  ```\n{"paid": true, "note": "two\nlines"}\n```  ',
    ],
    ids=["fenced", "raw line break in a string", "bare fence"],
)
def test_json_in_a_code_fence_or_with_a_raw_line_break_is_taken(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage], written: str
) -> None:
    fake_openai.on("INV-2002", text(written))

    answer = judge(fake_openai, pauses).answer(ASKED, Paid, record=recorded.append)

    assert answer == Paid(paid=True, note="two\nlines")
    assert len(fake_openai.requests) == 1  # no repair try was needed


def test_nan_is_still_not_a_number_however_the_answer_is_written(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage]
) -> None:
    class Sure(BaseModel):
        confidence: float

    fake_openai.on("INV-2002", text('```json\n{"confidence": NaN}\n```'), anywhere=True)

    with pytest.raises(ModelError, match="not a valid Sure, even after a repair try"):
        judge(fake_openai, pauses).answer(ASKED, Sure, record=recorded.append)


def test_every_answer_is_capped_in_tokens_by_feature_and_the_cap_can_be_set(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage]
) -> None:
    # A small model can repeat itself inside its JSON until its context ends: the cap
    # stops it (the cut answer then gets its repair try) instead of a worker waiting.
    fake_openai.on("INV-2002", json_reply({"paid": True, "note": ""}))
    models = Models.configured(
        fake_openai.settings(max_tokens={"compile": 64}), sleep=pauses.append
    )
    for feature in (Feature.ROUTING, Feature.COMPILE):
        model = models.model_for(feature)
        assert model is not None
        model.answer(ASKED, Paid, record=recorded.append)

    routing, compiling = (request.body for request in fake_openai.requests)
    assert routing["max_completion_tokens"] == 4096
    assert "max_tokens" not in routing  # OpenAI's reasoning models refuse the old name
    assert compiling["max_completion_tokens"] == 64


def test_servers_of_the_older_formats_also_get_the_older_name_of_the_cap(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage]
) -> None:
    fake_openai.takes_json_schema = False
    fake_openai.on("INV-2002", json_reply({"paid": True, "note": ""}))

    judge(fake_openai, pauses, response_format="json_object").answer(
        ASKED, Paid, record=recorded.append
    )

    sent = fake_openai.requests[0].body
    assert sent["max_tokens"] == sent["max_completion_tokens"] == 4096


def test_a_server_that_takes_no_answer_format_is_told_to_get_the_schema_in_the_prompt(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage]
) -> None:
    fake_openai.takes_json_schema = fake_openai.takes_json_object = False
    fake_openai.on("INV-2002", json_reply({"paid": True, "note": ""}))

    with pytest.raises(ModelError, match=r"refused the answer format .*; set .*=prompt"):
        judge(fake_openai, pauses, response_format="json_object").answer(
            ASKED, Paid, record=recorded.append
        )

    answer = judge(fake_openai, pauses, response_format="prompt").answer(
        ASKED, Paid, record=recorded.append
    )
    assert answer == Paid(paid=True, note="")
