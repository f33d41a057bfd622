"""Action steps: render the call, check it, and perform it; a call an approval covers runs
only if it is exactly the call that was approved (same hash)."""

from __future__ import annotations

from bot.catalogue.operation import Operation
from bot.engine.calls import CallResult, call_hash
from bot.engine.steps.approval import open_assist_confirmation
from bot.engine.steps.calling import prepare, settle
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import apply_failure, escalate
from bot.engine.work import Continue, RunWork, Transition
from bot.procedure import expressions
from bot.procedure.steps import ActionStep


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
