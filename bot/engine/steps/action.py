"""Action steps: render the call (or take the exact approved one), then perform it."""

from __future__ import annotations

from typing import Any

from bot.catalogue.operation import Operation
from bot.engine.calls import CallResult
from bot.engine.steps.approval import open_assist_confirmation
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import apply_failure, escalate
from bot.engine.work import Continue, RunWork, Transition
from bot.procedure import expressions
from bot.procedure.steps import ActionCall, ActionStep


def run_action(env: StepEnv, work: RunWork, step: ActionStep) -> Transition:
    """One action step, under its failure rule."""
    operation = env.runtime.catalogue.get(step.action)
    if operation is None:
        return escalate(env, work, f"{step.id}: the operation {step.action} is not installed here")
    approved = work.meta.get("approved", {}).get(step.id)
    if approved is not None:
        arguments: dict[str, Any] = approved["arguments"]
    else:
        try:
            arguments = render_arguments(step, work)
        except expressions.ExpressionError as error:
            return apply_failure(
                env,
                work,
                step,
                step.on_failure,
                f"cannot prepare {step.id}: {error}",
                retryable=False,
            )
        if operation.writes and work.run.mode == "assist":
            return open_assist_confirmation(env, work, step, operation, arguments)
    result = env.caller.call(
        work,
        step_id=step.id,
        operation=operation,
        arguments=arguments,
        idempotency_key=idempotency_key(work, step, operation),
        timeout=step.timeout,
    )
    return after_call(env, work, step, operation, result)


def after_call(
    env: StepEnv, work: RunWork, step: ActionStep, operation: Operation, result: CallResult
) -> Transition:
    """Save the result and go on, or apply the step's failure rule."""
    if result.status in ("succeeded", "would_do"):
        work.meta.get("approved", {}).pop(step.id, None)
        visits = work.meta.setdefault("visits", {})
        visits[step.id] = visits.get(step.id, 0) + 1
        work.meta.get("resume_keys", {}).pop(step.id, None)
        if step.save_as and result.result is not None:
            work.save(step.save_as, result.result)
        return Continue(work.following(step))
    if result.status == "blocked":
        return escalate(
            env, work, f"guardrail stopped {step.id} ({operation.name}): {result.error}"
        )
    if result.status == "unknown":
        return escalate(
            env,
            work,
            f"{step.id} ({operation.name}) may or may not have happened: {result.error}. "
            "Check the tool before doing it again.",
        )
    return apply_failure(
        env,
        work,
        step,
        step.on_failure,
        f"{step.id} ({operation.name}) failed: {result.error}",
        retryable=result.retryable,
        retry_after=result.retry_after,
    )


def render_arguments(call: ActionCall, work: RunWork) -> dict[str, Any]:
    """The call's arguments with every template rendered against the run."""
    rendered = expressions.render(dict(call.with_), work.expression_context())
    assert isinstance(rendered, dict)
    return rendered


def idempotency_key(work: RunWork, step: ActionStep, operation: Operation) -> str | None:
    """The key that makes a repeated write harmless: the SOP's own, or one per step visit."""
    resumed = work.meta.get("resume_keys", {}).get(step.id)
    if resumed:
        return str(resumed)
    if step.idempotency_key:
        return str(expressions.render(step.idempotency_key, work.expression_context()))
    if operation.accepts_idempotency_key:
        visit = work.meta.get("visits", {}).get(step.id, 0)
        return f"{work.run.id}/{step.id}/{visit}"
    return None
