"""Steps that only change the run's course or values: set, decide, escalate, end."""

from __future__ import annotations

from typing import Any

from bot.engine.status import RunStatus
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import announce_escalation, escalate
from bot.engine.typed_values import as_json
from bot.engine.work import Continue, Finish, RunWork, Transition
from bot.finite import non_finite_problem
from bot.procedure import expressions
from bot.procedure.steps import DecideStep, EndStep, EscalateStep, SetStep

_END_STATUS = {
    "completed": RunStatus.COMPLETED,
    "cancelled": RunStatus.CANCELLED,
    "failed": RunStatus.FAILED,
}


def run_set(env: StepEnv, work: RunWork, step: SetStep) -> Transition:
    """Compute each value in order; later ones may use earlier ones. A value that is not a
    finite number (``x * 1e308``) is not saved: every later comparison with it would lie."""
    for name, template in step.set.items():
        try:
            value = expressions.render(template, work.expression_context())
        except expressions.ExpressionError as error:
            return escalate(env, work, f"cannot compute {name} in {step.id}: {error}")
        problem = non_finite_problem(value, name)
        if problem is not None:
            return escalate(env, work, f"cannot compute {name} in {step.id}: {problem}")
        work.values[name] = value
    return Continue(work.following(step))


def run_decide(env: StepEnv, work: RunWork, step: DecideStep) -> Transition:
    """The first case whose condition holds; otherwise ``otherwise`` or the next step."""
    context = work.expression_context()
    for case in step.decide:
        try:
            if expressions.test(case.when, context):
                return Continue(case.goto)
        except expressions.ExpressionError as error:
            return escalate(env, work, f"cannot decide {step.id}: {error}")
    return Continue(step.otherwise or work.following(step))


def run_escalate(env: StepEnv, work: RunWork, step: EscalateStep) -> Transition:
    """Escalate with the handoff; end the run unless the step says to continue."""
    problem = _set_result(work, step.id, step.escalate.result)
    context = work.expression_context()
    try:
        reason = str(expressions.render(step.escalate.reason, context))
        extra = {
            label: str(expressions.render(value, context))
            for label, value in step.escalate.context.items()
        }
    except expressions.ExpressionError as error:
        reason, extra = f"{step.id}: {step.escalate.reason} (could not fill in: {error})", {}
    if problem is not None:
        reason = f"{reason} ({problem})"
    targets = list(step.escalate.to) or None
    if step.escalate.continue_:
        announce_escalation(env, work, reason, targets, extra)
        return Continue(work.following(step))
    return escalate(env, work, reason, targets, extra)


def run_end(env: StepEnv, work: RunWork, step: EndStep) -> Transition:
    """Finish with the state the SOP names and the result values it sets."""
    problem = _set_result(work, step.id, step.result)
    if problem is not None:
        return escalate(env, work, problem)
    message = None
    if step.message:
        try:
            message = str(expressions.render(step.message, work.expression_context()))
        except expressions.ExpressionError as error:
            message = f"{step.message} (could not fill in: {error})"
    return Finish(_END_STATUS[step.end], message)


def _set_result(work: RunWork, step_id: str, result: dict[str, Any]) -> str | None:
    """Render the run's result values in order into its state; what went wrong, or None.
    A value that cannot be computed, or is no finite number, is not recorded."""
    context = work.expression_context()
    for name, template in result.items():
        try:
            value = expressions.render(template, context)
        except expressions.ExpressionError as error:
            return f"cannot compute the result {name} in {step_id}: {error}"
        problem = non_finite_problem(value, name)
        if problem is not None:
            return f"cannot compute the result {name} in {step_id}: {problem}"
        work.meta.result[name] = as_json(value)
    return None
