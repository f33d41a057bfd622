"""The tool-calling loop: the model asks, the caller's runner decides and runs, the model
is told each result or refusal, and the loop keeps to its call limit and time budget."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from bot.llm.errors import ModelError
from bot.llm.messages import user
from bot.llm.models import Model, Models
from bot.llm.settings import Feature
from bot.llm.tools import Refused, Tool, ToolCall, ToolUse
from bot.llm.usage import Outcome, Usage
from tests.llm.fake_openai import FakeOpenAI, json_reply, malformed, tool_call, tool_calls

ASK = [user("Prepare the refund package for order 1042")]


class OrderLookup(BaseModel):
    order_id: str


class RefundArgs(BaseModel):
    order_id: str
    amount: float


class Package(BaseModel):
    summary: str
    amount: float


LOOKUP = Tool("crm_get_order", "Read an order from the CRM.", OrderLookup)
REFUND = Tool("crm_refund", "Refund an order.", RefundArgs)


class Runner:
    """Reads are permitted, writes refused: what a prepare step's runner would do."""

    def __init__(self) -> None:
        self.ran: list[ToolCall] = []

    def __call__(self, call: ToolCall) -> Any:
        self.ran.append(call)
        if call.tool is REFUND:
            return Refused("writes wait for the approval; only reads are allowed here")
        assert isinstance(call.arguments, OrderLookup)
        return {"order_id": call.arguments.order_id, "total": 640.0, "currency": "USD"}


def prepare(models: Models) -> Model:
    model = models.model_for(Feature.PREPARE)
    assert model is not None
    return model


def tool_answers(fake: FakeOpenAI, request: int) -> list[dict[str, Any]]:
    """The tool messages the given request carried back to the model."""
    return [
        json.loads(message["content"])
        for message in fake.requests[request].messages
        if message["role"] == "tool"
    ]


def test_a_tool_call_is_run_and_its_result_sent_back_before_the_answer(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042",
        tool_call("crm_get_order", order_id="1042"),
        json_reply({"summary": "Refund 640 USD on order 1042", "amount": 640.0}),
    )
    runner = Runner()

    done = prepare(models).use_tools(ASK, Package, [LOOKUP, REFUND], runner, record=recorded.append)

    assert done.answer == Package(summary="Refund 640 USD on order 1042", amount=640.0)
    assert [call.arguments for call in runner.ran] == [OrderLookup(order_id="1042")]
    assert done.uses == [
        ToolUse(
            "crm_get_order",
            {"order_id": "1042"},
            result={"order_id": "1042", "total": 640.0, "currency": "USD"},
        )
    ]
    first = fake_openai.requests[0].body
    assert [tool["function"]["name"] for tool in first["tools"]] == ["crm_get_order", "crm_refund"]
    assert first["tools"][0]["function"]["strict"] is True
    assert first["tool_choice"] == "auto"
    second = fake_openai.requests[1].messages
    assert second[1]["tool_calls"][0]["function"] == {
        "name": "crm_get_order",
        "arguments": '{"order_id": "1042"}',
    }
    assert second[2]["tool_call_id"] == second[1]["tool_calls"][0]["id"]
    assert tool_answers(fake_openai, 1) == [{"order_id": "1042", "total": 640.0, "currency": "USD"}]
    assert [u.outcome for u in recorded] == [Outcome.TOOL_CALLS, Outcome.ANSWERED]


def test_a_refused_call_is_told_to_the_model_and_reported_to_the_caller(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042",
        tool_calls(("crm_refund", {"order_id": "1042", "amount": 640}), ("crm_drop_table", {})),
        json_reply({"summary": "Refund needs approval", "amount": 640.0}),
    )
    runner = Runner()

    done = prepare(models).use_tools(ASK, Package, [LOOKUP, REFUND], runner, record=recorded.append)

    assert done.answer.summary == "Refund needs approval"
    assert [(use.name, use.refused) for use in done.refused] == [
        ("crm_refund", "writes wait for the approval; only reads are allowed here"),
        ("crm_drop_table", "there is no tool named 'crm_drop_table'"),
    ]
    assert len(runner.ran) == 1  # the unknown tool never reached the runner
    assert tool_answers(fake_openai, 1) == [
        {"refused": "writes wait for the approval; only reads are allowed here"},
        {"refused": "there is no tool named 'crm_drop_table'"},
    ]


def test_arguments_that_do_not_validate_are_refused_without_running(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042",
        tool_call("crm_get_order", id=1042),
        json_reply({"summary": "Could not look it up", "amount": 0}),
    )
    runner = Runner()

    done = prepare(models).use_tools(ASK, Package, [LOOKUP], runner, record=recorded.append)

    assert runner.ran == []
    assert done.refused[0].refused == "invalid arguments (order_id: Field required)"


def test_calls_past_the_limit_are_refused_and_the_model_must_answer(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042",
        tool_call("crm_get_order", order_id="1042"),
        tool_calls(
            ("crm_get_order", {"order_id": "1043"}), ("crm_get_order", {"order_id": "1044"})
        ),
        json_reply({"summary": "Enough", "amount": 640.0}),
    )
    runner = Runner()

    done = prepare(models).use_tools(
        ASK, Package, [LOOKUP], runner, record=recorded.append, max_calls=2
    )

    assert [call.arguments for call in runner.ran] == [
        OrderLookup(order_id="1042"),
        OrderLookup(order_id="1043"),
    ]
    assert [use.refused for use in done.refused] == ["the limit of 2 tool calls is reached"]
    assert [r.body["tool_choice"] for r in fake_openai.requests] == ["auto", "auto", "none"]


def test_the_time_budget_ends_the_loop_with_a_model_error(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage]
) -> None:
    now = [0.0]
    models = Models.configured(
        fake_openai.settings(), sleep=pauses.append, monotonic=lambda: now[0]
    )
    fake_openai.on("order 1042", tool_call("crm_get_order", order_id="1042"))

    def slow_runner(call: ToolCall) -> Any:
        now[0] += 45.0  # each lookup takes 45 s of the budget
        return {"total": 640.0}

    with pytest.raises(
        ModelError, match=r"did not answer within its 60 s budget \(2 tool calls made\)"
    ):
        prepare(models).use_tools(
            ASK, Package, [LOOKUP], slow_runner, record=recorded.append, budget_seconds=60
        )

    assert len(fake_openai.requests) == 2


def test_the_final_answer_gets_its_repair_try_too(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042",
        tool_call("crm_get_order", order_id="1042"),
        malformed(),
        json_reply({"summary": "Refund 640 USD", "amount": 640.0}),
        anywhere=True,
    )

    done = prepare(models).use_tools(ASK, Package, [LOOKUP], Runner(), record=recorded.append)

    assert done.answer.amount == 640.0
    assert [u.outcome for u in recorded] == [Outcome.TOOL_CALLS, Outcome.INVALID, Outcome.ANSWERED]


def test_a_model_that_keeps_calling_tools_past_the_limit_is_stopped(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on("order 1042", tool_call("crm_get_order", order_id="1042"))  # forever
    runner = Runner()

    with pytest.raises(ModelError, match=r"kept calling tools after its 1 calls were used up"):
        prepare(models).use_tools(
            ASK, Package, [LOOKUP], runner, record=recorded.append, max_calls=1
        )

    assert len(runner.ran) == 1
    assert [r.body["tool_choice"] for r in fake_openai.requests] == ["auto", "none"]


def test_arguments_of_megabytes_are_refused_before_they_are_read_or_kept(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042",
        tool_call("crm_get_order", order_id="1042" + " " * 1_000_000),
        json_reply({"summary": "Could not look it up", "amount": 0}),
    )
    runner = Runner()

    done = prepare(models).use_tools(ASK, Package, [LOOKUP], runner, record=recorded.append)

    assert runner.ran == []
    [use] = done.refused
    assert use.refused == "arguments over 16 KiB; a read takes a few values"
    assert use.arguments is None  # nothing of them is kept
    echoed = fake_openai.requests[1].messages[-2]["tool_calls"][0]["function"]["arguments"]
    assert echoed == "{}"  # nor sent back with the next turn


def test_a_tool_name_of_megabytes_is_not_sent_back_with_every_later_turn(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    # Each turn repeats the earlier ones: a megabyte name, echoed and quoted in its refusal,
    # made every later request two megabytes larger (eight turns: over 60 MB sent).
    invented = "crm_" + "x" * 1_000_000
    fake_openai.on(
        "order 1042",
        tool_call(invented, order_id="1042"),
        json_reply({"summary": "Could not look it up", "amount": 0}),
    )

    done = prepare(models).use_tools(ASK, Package, [LOOKUP], Runner(), record=recorded.append)

    [use] = done.refused
    assert use.name == invented  # the caller sees what the model asked for
    assert len(json.dumps(fake_openai.requests[1].body)) < 20_000
    echoed = fake_openai.requests[1].messages[-2]["tool_calls"][0]["function"]["name"]
    assert echoed == invented[:64]
    told = json.loads(fake_openai.requests[1].messages[-1]["content"])
    assert told == {"refused": f"there is no tool named '{invented[:64]}…'"}
