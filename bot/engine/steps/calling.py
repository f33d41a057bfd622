"""Preparing and settling a call made on a run's behalf, shared by every step that calls a
tool (an action, a wait's refresh and reminder) and by an approval that shows the call it
covers, so every call renders, fails, escalates and saves the same way."""

from __future__ import annotations

from typing import Any

from bot.catalogue.operation import Operation
from bot.engine.calls import CallResult
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import apply_failure, escalate
from bot.engine.work import RunWork, Transition
from bot.procedure import expressions
from bot.procedure.outcomes import FailureRule
from bot.procedure.steps import ActionCall, StepBase


def prepare(
    env: StepEnv,
    work: RunWork,
    step: StepBase,
    call: ActionCall,
    rule: FailureRule | None,
) -> tuple[Operation, dict[str, Any]] | Transition:
    """The operation and its rendered arguments."""
    operation = env.runtime.catalogue.get(call.action)
    if operation is None:
        return escalate(env, work, f"{step.id}: the operation {call.action} is not installed here")
    try:
        return operation, render_arguments(call, work, operation)
    except expressions.ExpressionError as error:
        return apply_failure(
            env,
            work,
            step,
            rule,
            f"cannot prepare {call.action} in {step.id}: {error}",
            retryable=False,
        )


def settle(
    env: StepEnv,
    work: RunWork,
    step: StepBase,
    call: ActionCall,
    rule: FailureRule | None,
    operation: Operation,
    result: CallResult,
) -> Transition | None:
    """None when the call went through (its result saved); otherwise where the run goes."""
    if result.went_through:
        if call.save_as and result.result is not None:
            work.save(call.save_as, result.result)
        return None
    where = f"{operation.name} in {step.id}"
    if result.status == "blocked":
        return escalate(env, work, f"guardrail stopped {where}: {result.error}")
    if result.status == "unknown":
        return escalate(
            env,
            work,
            f"{where} may or may not have happened: {result.error}. "
            "Check the tool before doing it again.",
        )
    return apply_failure(
        env,
        work,
        step,
        rule,
        f"{where} failed: {result.error}",
        retryable=result.retryable,
        retry_after=result.retry_after,
    )


def render_arguments(call: ActionCall, work: RunWork, operation: Operation) -> dict[str, Any]:
    """The call's arguments with every template rendered against the run.

    An optional argument whose template renders to nothing (None, or empty text, as a
    missing optional input does) is left out of the call, so the tool applies its own
    default instead of refusing a null it does not take. A required one is sent as it
    rendered (the validator warns where null can reach it: SOP240).
    """
    rendered = expressions.render(dict(call.with_), work.expression_context())
    assert isinstance(rendered, dict)
    required = operation.required_arguments
    return {
        name: value
        for name, value in rendered.items()
        if name in required
        or not (expressions.is_template(call.with_[name]) and _is_nothing(value))
    }


def _is_nothing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
