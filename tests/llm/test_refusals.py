"""Refused tool calls are reported to the caller as they happen, so a conversation that
then ends without a usable answer still leaves the attempts for the caller to audit."""

from __future__ import annotations

import pytest

from bot.llm.errors import ModelError
from bot.llm.models import Models
from bot.llm.tools import ToolUse
from bot.llm.usage import Usage
from tests.llm.fake_openai import FakeOpenAI, malformed, tool_calls
from tests.llm.test_tools import ASK, LOOKUP, REFUND, Package, Runner, prepare


def test_refusals_reach_the_caller_even_when_the_answer_never_comes(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "order 1042",
        tool_calls(
            ("crm_drop_table", {}),
            ("crm_get_order", {"id": 1042}),
            ("crm_refund", {"order_id": "1042", "amount": 5000}),
        ),
        malformed(),
        anywhere=True,
    )
    heard: list[ToolUse] = []

    with pytest.raises(ModelError, match="even after a repair try"):
        prepare(models).use_tools(
            ASK,
            Package,
            [LOOKUP, REFUND],
            Runner(),
            record=recorded.append,
            on_refused=heard.append,
        )

    assert [(use.name, use.arguments, use.refused) for use in heard] == [
        ("crm_drop_table", None, "there is no tool named 'crm_drop_table'"),
        ("crm_get_order", None, "invalid arguments (order_id: Field required)"),
        (
            "crm_refund",
            {"order_id": "1042", "amount": 5000.0},
            "writes wait for the approval; only reads are allowed here",
        ),
    ]
