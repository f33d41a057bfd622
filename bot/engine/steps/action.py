"""Action steps: render the call, check it, and perform it; a call an approval covers runs
only if it is exactly the call that was approved (same hash).

``prepare`` and ``settle`` are shared with the actions a wait runs (its refresh and its
reminder), so every call made on a run's behalf fails, escalates and saves the same way.
"""

from __future__ import annotations

from typing import Any

from bot.catalogue.operation import Operation
from bot.engine.calls import CallResult, call_hash
from bot.engine.steps.approval import open_assist_confirmation
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import apply_failure, escalate
from bot.engine.work import Continue, RunWork, Transition
from bot.procedure import expressions
from bot.procedure.outcomes import FailureRule
from bot.procedure.steps import ActionCall, ActionStep, StepBase


def run_action(env: StepEnv, work: RunWork, step: ActionStep) -> Transition:
    """One action step, under its failure rule."""
    approved = work.meta.approved.get(step.id)
    prepared = prepare(env, work, step, step, step.on_failure)
    if not isinstance(prepared, tuple):
        return prepared
    operation, arguments = prepared
    if approved is not None or (operation.writes and work.run.mode == "assist"):
        checked = env.caller.check(work, step_id=step.id, operation=operation, arguments=arguments)
        if isinstance(checked, CallResult):  # never ask anyone to confirm a call that cannot run
            return settle(env, work, step, step, step.on_failure, operation, checked) or escalate(
                env, work, f"{step.id}: {checked.error}"
            )
        if approved is None:
            return open_assist_confirmation(env, work, step, operation, checked)
        if call_hash(operation, checked) != approved.call_hash:
            return escalate(
                env,
                work,
                f"{step.id} changed after {approved.approval} approved it: the "
                f"call it would make now is not the one that was shown. Nothing was done.",
            )
        arguments = checked
    try:
        key = idempotency_key(work, step, operation)
    except expressions.ExpressionError as error:
        return apply_failure(
            env,
            work,
            step,
            step.on_failure,
            f"cannot prepare the idempotency key of {step.id}: {error}",
            retryable=False,
        )
    result = env.caller.call(
        work,
        step_id=step.id,
        operation=operation,
        arguments=arguments,
        idempotency_key=key,
        timeout=step.timeout,
    )
    problem = settle(env, work, step, step, step.on_failure, operation, result)
    if problem is not None:
        return problem
    work.meta.approved.pop(step.id, None)
    work.meta.resume_keys.pop(step.id, None)
    work.meta.visits[step.id] = work.meta.visits.get(step.id, 0) + 1
    return Continue(work.following(step))


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
        return operation, render_arguments(call, work)
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
    if result.status in ("succeeded", "would_do"):
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


def render_arguments(call: ActionCall, work: RunWork) -> dict[str, Any]:
    """The call's arguments with every template rendered against the run."""
    rendered = expressions.render(dict(call.with_), work.expression_context())
    assert isinstance(rendered, dict)
    return rendered


def idempotency_key(work: RunWork, step: ActionStep, operation: Operation) -> str | None:
    """The key that makes a repeated write harmless: the SOP's own, or one per step visit."""
    resumed = work.meta.resume_keys.get(step.id)
    if resumed:
        return str(resumed)
    if step.idempotency_key:
        return str(expressions.render(step.idempotency_key, work.expression_context()))
    if operation.accepts_idempotency_key:
        visit = work.meta.visits.get(step.id, 0)
        return f"{work.run.id}/{step.id}/{visit}"
    return None
