"""What a model's answer may say, whatever the SOP's option labels are: a label that looks
like Python's own names is still a label the model can pick, and a confidence that is not
a number is not read as one (``true`` is no 100 %)."""

from __future__ import annotations

import pytest

from bot.engine.steps.approval import approval_card
from bot.llm.models import Models
from storage import audit
from tests.agent.conftest import REFUND, MakeHarness
from tests.agent.test_judge import CLAIM, QUESTION
from tests.agent.test_prepare import BRIEF, PACKAGE
from tests.llm.fake_openai import FakeOpenAI, json_reply


@pytest.mark.parametrize("label", ["_Pay the claim_", "__Pay__", "mro", "_ignore_"])
def test_a_label_shaped_like_a_python_name_is_an_option_like_any_other(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models, label: str
) -> None:
    """``_Pay the claim_`` is how Slack writes italics; the model picks it as written."""
    fake_openai.on(
        QUESTION, json_reply({"option": label, "confidence": 0.93, "reason": "Crushed box."})
    )
    harness = make_harness(models, CLAIM.replace("label: Pay the claim", f"label: '{label}'"))
    run = harness.start("claim", {"order_id": "1042", "story": "The box arrived crushed."})
    run = harness.run(run.id)
    assert (run.status, run.state["meta"]["result"]) == ("completed", {"decision": "paid"})


def test_a_prepare_option_named_mro_can_be_recommended(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    """``mro`` (a maintenance, repair and operations order) is a fine identifier."""
    fake_openai.on(BRIEF, json_reply(PACKAGE | {"recommendation": "mro"}))
    harness = make_harness(models, REFUND.replace("partial_refund", "mro"))
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    assert run.status == "waiting_approval", run.reason
    (approval,) = harness.pending(run.id)
    assert dict(approval_card(approval).fields)["Recommends"] == "mro (confidence 80%)"


@pytest.mark.parametrize("confidence", [True, "0.99", "1"])
def test_a_confidence_that_is_no_number_never_lets_the_model_decide_alone(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models, confidence: object
) -> None:
    answer = {"option": "Pay the claim", "confidence": confidence, "reason": "Sure."}
    fake_openai.on(QUESTION, json_reply(answer), anywhere=True)
    harness = make_harness(models, CLAIM)
    run = harness.start("claim", {"order_id": "1042", "story": "The box arrived crushed."})
    assert harness.run(run.id).status == "waiting_human"
    (choice,) = harness.pending(run.id)
    suggested = dict(approval_card(choice).fields)["Suggested"]
    assert suggested.startswith("nothing: the model gave no usable verdict")
    with harness.database.session() as session:
        events = audit.events_for_run(session, run.id)
    assert [e.outcome for e in events if e.action == "llm.judge"] == ["invalid", "invalid"]


def test_a_prepared_confidence_that_is_no_number_is_not_shown_as_one(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    fake_openai.on(BRIEF, json_reply(PACKAGE | {"confidence": True}), anywhere=True)
    harness = make_harness(models)
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    (approval,) = harness.pending(run.id)
    fields = dict(approval_card(approval).fields)
    assert fields["Recommends"] == "nothing: a person weighs the facts"
    assert fields["Prepared from"].startswith("the SOP's facts only (the model gave no usable")
