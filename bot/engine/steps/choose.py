"""Choose steps: a person picks one of N options and the run goes to that option's step.

The card shows, for each option, the calls the run would make next if it were picked (as
an approval card shows what it covers), so the person weighs effects, not labels alone.
"""

from __future__ import annotations

from typing import Any

from bot.engine.steps.approval import RefusedCall, actions_from, open_package, planned_call
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import escalate
from bot.engine.targets import TargetError, resolve_targets
from bot.engine.work import RunWork, Transition
from bot.procedure import expressions
from bot.procedure.steps import ActionStep, Approval, Choice, ChooseStep, StepBase


def run_choose(env: StepEnv, work: RunWork, step: ChooseStep) -> Transition:
    """Open the choice for the assignee, with what each option will do, and wait."""
    return open_choice(env, work, step, step.choose)


def open_choice(
    env: StepEnv,
    work: RunWork,
    step: StepBase,
    choice: Choice,
    *,
    facts: dict[str, str] | None = None,
    suggestion: dict[str, Any] | None = None,
) -> Transition:
    """Open ``choice`` for its assignee (with ``facts`` and a model's ``suggestion`` shown,
    as a judge step that is not sure does), and wait for the pick."""
    context = work.expression_context()
    try:
        question = str(expressions.render(choice.question, context))
        deciders = resolve_targets([choice.assignee], work.procedure, work.run.started_by, context)
    except (expressions.ExpressionError, TargetError) as error:
        return escalate(env, work, f"cannot prepare the choice {step.id}: {error}")
    options = [
        {"label": option.label, "goto": option.goto, "actions": _effects(env, work, option.goto)}
        for option in choice.options
    ]
    pause = Approval(
        approvers=deciders, allow_starter=True, summary=question, timeout=choice.timeout
    )
    return open_package(
        env,
        work,
        step,
        pause,
        "choice",
        question,
        facts or {},
        [],
        deciders,
        choice={"options": options, "default": choice.default}
        | ({"suggestion": suggestion} if suggestion is not None else {}),
    )


def _effects(env: StepEnv, work: RunWork, goto: str) -> list[dict[str, Any]]:
    """The calls picking an option leads to. One that cannot be planned yet (its arguments
    need values the option's own steps compute) or that the guardrails would refuse is
    listed with why, rather than hiding the option or failing the whole choice."""
    effects: list[dict[str, Any]] = []
    for target in actions_from(work, goto):
        if not isinstance(target, ActionStep):
            continue
        try:
            effects.append(planned_call(env, work, target))
        except expressions.ExpressionError as error:
            note = f"its arguments are worked out when it runs ({error})"
            effects.append({"step": target.id, "operation": target.action, "note": note})
        except RefusedCall as error:
            effects.append({"step": target.id, "operation": target.action, "note": str(error)})
    return effects
