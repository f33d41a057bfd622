"""Run one step: apply its ``when`` guard, then its kind's handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.engine.steps.action import run_action
from bot.engine.steps.approval import run_approval, run_task
from bot.engine.steps.choose import run_choose
from bot.engine.steps.draft import run_draft
from bot.engine.steps.env import StepEnv
from bot.engine.steps.flow import run_decide, run_end, run_escalate, run_set
from bot.engine.steps.judge import run_judge
from bot.engine.steps.outcomes import escalate
from bot.engine.steps.prepare import run_prepare
from bot.engine.steps.wait import run_wait
from bot.engine.work import Continue, RunWork, Transition
from bot.procedure import expressions
from bot.procedure.steps import (
    ActionStep,
    ApprovalStep,
    ChooseStep,
    DecideStep,
    DraftStep,
    EndStep,
    EscalateStep,
    JudgeStep,
    PrepareStep,
    SetStep,
    StepBase,
    TaskStep,
    WaitStep,
)

HANDLERS: dict[type[StepBase], Callable[[StepEnv, RunWork, Any], Transition]] = {
    ActionStep: run_action,
    SetStep: run_set,
    DecideStep: run_decide,
    PrepareStep: run_prepare,
    ApprovalStep: run_approval,
    TaskStep: run_task,
    DraftStep: run_draft,
    ChooseStep: run_choose,
    JudgeStep: run_judge,
    WaitStep: run_wait,
    EscalateStep: run_escalate,
    EndStep: run_end,
}


def run_step(env: StepEnv, work: RunWork, step: StepBase) -> Transition:
    """The step's transition; a false ``when`` skips it (a wait already begun is not re-guarded)."""
    resuming = step.id in work.meta.waits or work.attempt > 0
    if step.when and not resuming:
        try:
            if not expressions.test(step.when, work.expression_context()):
                work.meta.passed(step.id, "skipped")
                return Continue(work.following(step))
        except expressions.ExpressionError as error:
            return escalate(env, work, f"cannot check when {step.id} applies: {error}")
    return HANDLERS[type(step)](env, work, step)
