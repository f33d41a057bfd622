"""A conversation that ends in a structured answer: tool calls answered through the caller's
runner (within a call limit and a time budget), and one repair try for an answer that does
not validate. Each refused call is reported as it happens, so the caller can audit it even
when the conversation then ends in a ``ModelError``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionMessage,
    ChatCompletionMessageFunctionToolCall,
    ChatCompletionMessageParam,
)

from bot.llm.errors import ModelError, ModelUnavailable
from bot.llm.structured import Answer, asking, parse, repair_request
from bot.llm.tools import (
    LONGEST_ARGUMENTS,
    Answered,
    Tool,
    ToolRunner,
    ToolUse,
    perform,
    refuse,
    sent_name,
    tool_message,
)
from bot.llm.transport import InvalidAnswer
from bot.llm.usage import Recorder

if TYPE_CHECKING:
    from bot.llm.models import Model

REPAIRS = 1


def converse(
    model: Model,
    messages: Sequence[ChatCompletionMessageParam],
    shape: type[Answer],
    *,
    record: Recorder,
    tools: Sequence[Tool] = (),
    runner: ToolRunner | None = None,
    max_calls: int = 0,
    budget_seconds: float | None = None,
    on_refused: Callable[[ToolUse], None] | None = None,
) -> Answered[Answer]:
    """Ask until the model answers with a valid ``shape``: ``ModelError`` after a second
    invalid answer or past the time budget; tool calls past ``max_calls`` are refused and the
    model is then asked to answer without tools. ``on_refused`` hears of each refused call
    (by sopbot or the runner) when it is refused."""
    conversation, options = asking(shape, messages, model.endpoint.response_format)
    offered = {tool.name: tool for tool in tools}
    if tools:
        options["tools"] = [tool.param() for tool in tools]
    uses: list[ToolUse] = []
    repairs = REPAIRS
    budget = None if budget_seconds is None else model.budget(budget_seconds)
    deadline = None if budget is None else budget.deadline

    def read(message: ChatCompletionMessage) -> Answer | ChatCompletionMessage:
        return message if tools and message.tool_calls else parse(shape, message)

    def over_budget() -> ModelError | None:
        if budget is None or not budget.spent(model.endpoint):
            return None
        return budget.ran_out(model.feature, f" ({len(uses)} tool calls made)")

    while True:
        if (late := over_budget()) is not None:
            raise late
        if tools:
            options["tool_choice"] = "auto" if len(uses) < max_calls else "none"
        try:
            turn = model.send(conversation, record=record, read=read, deadline=deadline, **options)
        except ModelUnavailable as unavailable:  # a try cut short by the budget says so
            raise (over_budget() or unavailable) from None
        except InvalidAnswer as invalid:
            if repairs == 0:
                raise ModelError(
                    f"the model's answer ({model.feature}) was not a valid {shape.__name__}, "
                    f"even after a repair try: {invalid.problem}"
                ) from None
            repairs -= 1
            conversation += [
                {"role": "assistant", "content": _repeated(invalid)},
                repair_request(invalid),
            ]
            continue
        if not isinstance(turn, ChatCompletionMessage):
            return Answered(turn, uses)
        if options.get("tool_choice") == "none":
            raise ModelError(
                f"the model ({model.feature}) kept calling tools after its {max_calls} calls "
                "were used up"
            )
        conversation.append(_asked(turn))
        for call in _function_calls(turn):
            if len(uses) >= max_calls:
                use = refuse(call.function.name, f"the limit of {max_calls} tool calls is reached")
            elif over_budget() is not None:
                use = refuse(call.function.name, f"the {budget_seconds:g} s budget is used up")
            else:
                assert runner is not None, "tools are offered only with a runner"
                use = perform(offered, call.id, call.function.name, call.function.arguments, runner)
            uses.append(use)
            if use.refused is not None and on_refused is not None:
                on_refused(use)
            conversation.append(tool_message(call.id, use))


CUT_SHORT = "(an answer cut off at the token limit)"


def _repeated(invalid: InvalidAnswer) -> str:
    """The invalid answer as the repair turn repeats it: a cut one is not sent back, as it
    may be the model repeating itself up to the token cap (32k tokens for compile)."""
    return CUT_SHORT if invalid.kind == "Truncated" else invalid.said or ""


def _asked(message: ChatCompletionMessage) -> ChatCompletionAssistantMessageParam:
    """The model's tool-calling turn, as the next request repeats it."""
    asked: ChatCompletionAssistantMessageParam = {"role": "assistant", "content": message.content}
    asked["tool_calls"] = [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": sent_name(call.function.name), "arguments": _echoed(call)},
        }
        for call in _function_calls(message)
    ]
    return asked


def _echoed(call: ChatCompletionMessageFunctionToolCall) -> str:
    """A call's arguments as the next turn repeats them: refused ones over the size cap are
    not sent back with every later turn (nor is more of a name than a name can be)."""
    arguments = call.function.arguments
    return "{}" if len(arguments) > LONGEST_ARGUMENTS else arguments


def _function_calls(message: ChatCompletionMessage) -> list[ChatCompletionMessageFunctionToolCall]:
    """The turn's function calls (the only kind offered; custom tools never are)."""
    return [call for call in message.tool_calls or () if call.type == "function"]
