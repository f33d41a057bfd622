"""A judge or draft step whose model never answers: the step's own budget bounds the wait
(not the service's timeout times its tries), and the person path opens saying why."""

from __future__ import annotations

import time

import pytest

from bot.engine.steps.approval import approval_card
from bot.llm.models import Models
from tests.agent.conftest import MakeHarness
from tests.agent.test_draft import BRIEF as DRAFT_BRIEF
from tests.agent.test_draft import REPLY
from tests.agent.test_judge import CLAIM, QUESTION
from tests.llm.fake_openai import FakeOpenAI, hang

SLOW_SERVICE = {"timeout": 5.0, "max_retries": 2}
"""Without a budget a hung model holds the step 15 s: three tries of 5 s."""


@pytest.fixture
def slow_models(fake_openai: FakeOpenAI, pauses: list[float]) -> Models:
    return Models.configured(fake_openai.settings(**SLOW_SERVICE), sleep=pauses.append)


def test_a_hung_judge_model_hands_the_pick_to_a_person_within_the_budget(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, slow_models: Models
) -> None:
    fake_openai.on(QUESTION, hang())
    harness = make_harness(
        slow_models, CLAIM.replace("threshold: 0.8", "threshold: 0.8\n          budget: 1s")
    )
    started = time.monotonic()
    run = harness.start("claim", {"order_id": "1042", "story": "The box arrived crushed."})
    waited = time.monotonic() - started
    assert run.status == "waiting_human", run.reason
    (choice,) = harness.pending(run.id)
    assert "did not answer within its 1 s budget" in dict(approval_card(choice).fields)["Suggested"]
    assert waited < 2.5
    assert len(fake_openai.requests) == 1  # no retry past the deadline


def test_a_hung_draft_model_hands_the_text_to_a_person_within_the_budget(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, slow_models: Models
) -> None:
    fake_openai.on(DRAFT_BRIEF, hang())
    harness = make_harness(slow_models, REPLY.replace("due: 1d", "due: 1d\n          budget: 1s"))
    started = time.monotonic()
    run = harness.start("reply", {"order_id": "1042", "complaint": "It arrived broken."})
    waited = time.monotonic() - started
    assert run.status == "waiting_human", run.reason
    (task,) = harness.pending(run.id)
    why = dict(approval_card(task).fields)["Why a person writes it"]
    assert (
        why
        == "the model gave no usable draft: the model (draft) did not answer within its 1 s budget"
    )
    assert waited < 2.5
    assert len(fake_openai.requests) == 1
