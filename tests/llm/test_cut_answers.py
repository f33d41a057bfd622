"""An answer the service stopped before the model finished it (the token limit, Azure's
content filter) is never taken as the answer: a draft cut mid-sentence is no draft."""

from __future__ import annotations

import pytest

from bot.llm.errors import ModelError, ModelRefused
from bot.llm.messages import user
from bot.llm.models import Model, Models
from bot.llm.settings import Feature
from bot.llm.usage import Outcome, Usage
from tests.llm.fake_openai import FakeOpenAI, filtered, json_reply, truncated
from tests.llm.invoice import Paid, model_for

ASK = [user("Write the refund confirmation for order 1042")]


def draft(models: Models) -> Model:
    return model_for(models, Feature.DRAFT)


def test_a_draft_cut_off_at_the_token_limit_is_no_draft(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on("order 1042", truncated("Dear customer, we will refund you $"))

    with pytest.raises(ModelError, match=r"cut off at the token limit"):
        draft(models).text(ASK, record=recorded.append)

    assert [(u.outcome, u.error) for u in recorded] == [(Outcome.INVALID, "Truncated")]


def test_a_draft_the_content_filter_stopped_is_a_refusal(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on("order 1042", filtered("Dear customer, we"))

    with pytest.raises(ModelRefused):
        draft(models).text(ASK, record=recorded.append)

    assert [u.outcome for u in recorded] == [Outcome.REFUSED]


def test_a_structured_answer_the_content_filter_stopped_is_not_asked_again(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on("order 1042", filtered(), json_reply({"paid": True}), anywhere=True)

    with pytest.raises(ModelRefused):
        draft(models).answer(ASK, Paid, record=recorded.append)

    assert len(fake_openai.requests) == 1
